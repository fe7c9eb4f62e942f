"""Audit: the hash-chained, append-only record of every turn and decision of every call."""
