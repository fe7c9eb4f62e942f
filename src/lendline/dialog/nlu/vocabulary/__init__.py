"""Versioned phrase lists of the NLU: purposes and employment (package data)."""
