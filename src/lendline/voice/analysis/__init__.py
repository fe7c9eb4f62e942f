"""Measurements of the caller's audio for the fraud call signals (numpy; outside the core)."""
