"""Non-voice channels to the same dialog: text chat (the fallback for noisy lines)."""
