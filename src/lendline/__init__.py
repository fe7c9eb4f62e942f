"""LendLine: phone loans end to end, from the caller's voice to a disbursed, logged loan."""

__version__ = "0.1.0"
