"""Data that ships with the package: the demo customer registry (synthetic people)."""
