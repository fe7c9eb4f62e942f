"""Waiting for a condition in tests that share their event loop with the server under test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(predicate: Callable[[], bool], within: float, what: str) -> None:
    """Wait (without blocking the server's loop) until ``predicate`` holds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
