"""Compliance: consent records (PIPL, separate consent for sensitive data) and notices."""
