"""payment rail package."""
