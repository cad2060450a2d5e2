"""BigCommerce's per-store request quota: a fixed window (30 s in production) of N requests.

The window starts with the first request after the previous one ended, as the headers suggest
(`X-Rate-Limit-Time-Reset-Ms` counts down to the refill). Every answer carries the four headers;
a request over the quota is answered 429 with the same headers, and does not count.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_MS_HEADER = "X-Rate-Limit-Time-Window-Ms"
RESET_MS_HEADER = "X-Rate-Limit-Time-Reset-Ms"
QUOTA_HEADER = "X-Rate-Limit-Requests-Quota"
LEFT_HEADER = "X-Rate-Limit-Requests-Left"


@dataclass
class Admission:
    allowed: bool
    headers: dict[str, str]


class RequestWindow:
    def __init__(self, quota: int, window_ms: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.quota = quota
        self.window_ms = window_ms
        self._clock = clock
        self._started: float | None = None
        self._used = 0
        self.refused = 0  # 429s answered (tests and the admin view)

    def configure(self, quota: int | None = None, window_ms: int | None = None) -> None:
        """Change the quota or window (tests shrink them); the current window starts over."""
        if quota is not None:
            self.quota = quota
        if window_ms is not None:
            self.window_ms = window_ms
        self._started = None
        self._used = 0

    def _roll(self) -> float:
        now = self._clock()
        if self._started is None or (now - self._started) * 1000 >= self.window_ms:
            self._started = now
            self._used = 0
        return now

    def reset_ms(self) -> int:
        now = self._roll()
        assert self._started is not None
        return max(math.ceil(self.window_ms - (now - self._started) * 1000), 0)

    def headers(self) -> dict[str, str]:
        return {
            WINDOW_MS_HEADER: str(self.window_ms),
            RESET_MS_HEADER: str(self.reset_ms()),
            QUOTA_HEADER: str(self.quota),
            LEFT_HEADER: str(max(self.quota - self._used, 0)),
        }

    def admit(self) -> Admission:
        """Count one request, or refuse it when the window's quota is spent."""
        self._roll()
        if self._used >= self.quota:
            self.refused += 1
            return Admission(False, self.headers())
        self._used += 1
        return Admission(True, self.headers())
