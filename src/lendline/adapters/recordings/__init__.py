"""Where call recordings are kept."""
