"""``lendline serve``: the long-running service that answers calls on every enabled transport."""
