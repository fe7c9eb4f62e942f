"""Versioned cue lexicons (TOML data files), one per language."""
