"""Failed logins, slowed without holding a server thread: after a few failures a user name
(and, with a higher allowance, a client address) is locked for a while that doubles with each
further failure, up to a cap. A locked attempt is refused at once (429 with Retry-After) and
its password is not even checked, so an attacker cannot tie up waitress's few threads (as a
sleep in the request would) nor use them to guess faster.

In memory, per process: `ika serve` is one process. The register still counts each account's
failures (accounts.failed_logins) for the admin's eyes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000  # names and addresses followed at once; the oldest are forgotten first


@dataclass
class _Record:
    failures: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    """`free` failures of a name (`free_address` of an address) are let through; the next
    one locks it for `step` seconds, each further one for twice as long, at most `cap`.
    A record is forgotten `forget` seconds after its last failure; a success forgets the
    name's record (not the address's). `step` 0 turns the throttle off."""

    def __init__(self, *, step: float, cap: float, free: int = 3, free_address: int = 20,
                 forget: float = 900.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.step, self.cap, self.forget = float(step), float(cap), float(forget)
        self.free = {"name": max(0, int(free)), "address": max(0, int(free_address))}
        self.clock = clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def _keys(self, name: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("name", name.casefold())] if name else []
        return keys + ([("address", address)] if address else [])

    def wait(self, name: str, address: str | None) -> float:
        """Seconds before `name` from `address` may try again (0: now)."""
        if self.step <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            left = [r.locked_until - now for k in self._keys(name, address)
                    if (r := self._records.get(k)) is not None]
        return max([0.0, *left])

    def failed(self, name: str, address: str | None) -> float:
        """Count a failure; the seconds the name or address is now locked for (0: none)."""
        if self.step <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            self._prune(now)
            for key in self._keys(name, address):
                r = self._records.setdefault(key, _Record())
                if now - r.last > self.forget:
                    r.failures = 0
                r.failures += 1
                r.last = now
                over = r.failures - self.free[key[0]]
                if over > 0:
                    lock = min(self.step * 2 ** min(over - 1, 30), self.cap)
                    r.locked_until = max(r.locked_until, now + lock)
        return self.wait(name, address)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._records.pop(("name", name.casefold()), None)

    def _prune(self, now: float) -> None:
        if len(self._records) < MAX_KEYS:
            return
        stale = [k for k, r in self._records.items()
                 if now - r.last > self.forget and r.locked_until <= now]
        for k in stale:
            del self._records[k]
        if len(self._records) >= MAX_KEYS:  # still full: forget the oldest half
            oldest = sorted(self._records, key=lambda k: self._records[k].last)
            for k in oldest[: len(oldest) // 2]:
                del self._records[k]


def retry_after(seconds: float) -> str:
    """The Retry-After header's value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
