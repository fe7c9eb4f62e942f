"""Simulated borrowers: scripted personas that call LendLine by voice or chat (demo and tests)."""
