"""The request rate limit the fake providers apply (Resend per team, Postmark per server): a
per-second count over one-second windows, and the `--rate-limit` option that sets it. It only
counts; each fake answers a request past the limit in its provider's own words.
"""

import argparse
import threading
import time

class RequestRate:
    """A per-second request limit over one-second windows, as Resend and Postmark apply per
    account or server: `count()` tells whether this request is one too many."""

    def __init__(self, limit: int):
        self.limit = limit
        self.lock = threading.Lock()
        self.window = (0, 0)  # (second, requests counted in it)

    def count(self) -> bool:
        """Counts a request; True when it is past the limit of its second."""
        now = int(time.time())
        with self.lock:
            second, count = self.window
            count = count + 1 if second == now else 1
            self.window = (now, count)
        return count > self.limit

    def remaining(self) -> int:
        with self.lock:
            second, count = self.window
        used = count if second == int(time.time()) else 0
        return max(self.limit - used, 0)

    def reset(self) -> None:
        with self.lock:
            self.window = (0, 0)


def rate_limit_argument(parser: argparse.ArgumentParser, refusal: str) -> None:
    """`--rate-limit`: requests per second before `refusal`."""
    parser.add_argument("--rate-limit", type=int, default=100,
                        help=f"requests per second before {refusal} (default 100, generous so "
                             "that tests not about rate limits never hit it)")
