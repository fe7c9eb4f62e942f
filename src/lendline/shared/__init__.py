"""Shared kernel: money, clock, ids and the error hierarchy used by every context."""
