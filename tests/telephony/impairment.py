"""A bad line between the phone and LendLine: a UDP relay that drops and delays RTP packets.

The kernel's netem is not available everywhere, so the loss and jitter are made here: the
SIP server advertises the relay's address in its SDP, the phone sends its RTP there, and the
relay forwards each packet to the server after a random delay (uniform up to ``jitter_ms``,
which also reorders packets), or drops it with probability ``loss``. Only the caller's audio
(the direction LendLine's jitter buffer and recogniser must cope with) goes through it.
"""

from __future__ import annotations

import heapq
import random
import select
import socket
import threading
import time


class LossyRelay(threading.Thread):
    """Forwards UDP datagrams from ``listen`` to ``target`` with loss and jitter."""

    def __init__(
        self,
        listen: tuple[str, int],
        target: tuple[str, int],
        *,
        loss: float = 0.05,
        jitter_ms: float = 60.0,
        seed: int = 7,
    ) -> None:
        super().__init__(daemon=True)
        self.target = target
        self.loss = loss
        self.jitter = jitter_ms / 1000
        self.random = random.Random(seed)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(listen)
        self.received = 0
        self.dropped = 0
        self.reordered = 0
        self._halt = threading.Event()
        self._queue: list[tuple[float, int, bytes]] = []
        self._last_due = 0.0

    def run(self) -> None:
        count = 0
        while not self._halt.is_set():
            wait = 0.05
            if self._queue:
                wait = max(0.0, min(wait, self._queue[0][0] - time.monotonic()))
            ready, _, _ = select.select([self.sock], [], [], wait)
            now = time.monotonic()
            if ready:
                data, _ = self.sock.recvfrom(2048)
                self.received += 1
                if self.random.random() < self.loss:
                    self.dropped += 1
                else:
                    due = now + self.random.uniform(0, self.jitter)
                    if due < self._last_due:
                        self.reordered += 1
                    self._last_due = max(self._last_due, due)
                    count += 1
                    heapq.heappush(self._queue, (due, count, data))
            while self._queue and self._queue[0][0] <= time.monotonic():
                _, _, data = heapq.heappop(self._queue)
                self.sock.sendto(data, self.target)

    def stop(self) -> None:
        """Stop relaying."""
        self._halt.set()
        self.join(timeout=2)
        self.sock.close()
