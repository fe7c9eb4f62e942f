"""Prompt templates (TOML), one file per language."""
