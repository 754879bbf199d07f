"""How a target copes with a system that is slow, down or busy: retries with backoff and
jitter, a circuit breaker that pauses the target, and a rate limit.

Each target keeps its own breaker and limiter (per runner process). While a target's breaker
is open the runner claims no work for the bots that post to it; other bots go on.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from pydantic import Field

from backoffice.connectors.base import Settings
from backoffice.errors import TargetError

log = logging.getLogger(__name__)


class RetrySettings(Settings):
    """Retries inside one post, before the item itself is retried by the runner."""

    attempts: int = Field(4, ge=1, le=20, description="Requests per post, the first one included.")
    backoff_seconds: float = Field(0.5, ge=0, description="Wait before the first retry; doubles each time.")
    max_backoff_seconds: float = Field(10.0, ge=0, description="The longest wait between two requests.")
    jitter: float = Field(0.5, ge=0, le=1, description="Fraction of each wait that is randomised (0: none).")
    max_retry_after_seconds: float = Field(
        30.0, ge=0,
        description="Longest Retry-After honoured inside a post; a longer one pauses the target instead.",
    )  # fmt: skip


class CircuitSettings(Settings):
    """The circuit breaker: after this many failures in a row the target pauses."""

    failures: int = Field(5, ge=1, description="Failed requests in a row that open the circuit.")
    reset_seconds: float = Field(30.0, gt=0, description="How long the target pauses before one trial request.")


class RateLimitSettings(Settings):
    """A token bucket: at most ``per_second`` requests on average, ``burst`` at once."""

    per_second: float = Field(gt=0, description="Requests per second, on average.")
    burst: int = Field(1, ge=1, description="Requests that may go at once after a quiet spell.")


class CircuitOpen(TargetError):
    """The target is paused by its circuit breaker; nothing was sent."""

    def __init__(self, target: str, until: float):
        self.target, self.until = target, until
        seconds = max(until - time.monotonic(), 0)
        super().__init__(f"{target}: paused for {seconds:.1f} s after repeated failures", code="circuit-open")


def backoff(attempt: int, settings: RetrySettings, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed request number ``attempt`` (1-based)."""
    base = min(settings.max_backoff_seconds, settings.backoff_seconds * 2 ** max(attempt - 1, 0))
    return base * (1 - settings.jitter * (rng or random).random())


def retry_after(value: str | None, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - now()).total_seconds(), 0.0)


class CircuitBreaker:
    """closed -> (``failures`` in a row) -> open -> (``reset_seconds``) -> half-open: one trial
    request; its success closes the circuit, its failure opens it again."""

    def __init__(self, name: str, settings: CircuitSettings, clock: Callable[[], float] = time.monotonic):
        self.name, self.settings, self.clock = name, settings, clock
        self._failures = 0
        self._open_until = 0.0
        self._trial: float | None = None  # when the trial request in flight was let through
        self._lock = threading.Lock()

    @property
    def paused_until(self) -> float | None:
        """The monotonic time the pause ends, while the circuit is open."""
        return self._open_until if self._open_until > self.clock() else None

    def available(self) -> None:
        """Raise CircuitOpen while paused (takes no trial: nothing is about to be sent)."""
        if self._open_until > self.clock():
            raise CircuitOpen(self.name, self._open_until)

    def check(self) -> None:
        """Before a request: raise CircuitOpen while paused; after the pause let one trial
        through at a time (another only when a trial has not reported for ``reset_seconds``)."""
        with self._lock:
            now = self.clock()
            if self._open_until > now:
                raise CircuitOpen(self.name, self._open_until)
            if self._open_until and self._failures >= self.settings.failures:
                if self._trial is not None and now - self._trial < self.settings.reset_seconds:
                    raise CircuitOpen(self.name, self._trial + self.settings.reset_seconds)
                self._trial = now

    def success(self) -> None:
        with self._lock:
            if self._open_until:
                log.info("%s: circuit closed", self.name, extra={"target": self.name, "action": "circuit-closed"})
            self._failures, self._open_until, self._trial = 0, 0.0, None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.settings.failures:
                self._open(self.settings.reset_seconds)

    def pause(self, seconds: float) -> None:
        """Open the circuit for ``seconds`` at once (a long Retry-After)."""
        with self._lock:
            self._failures = max(self._failures, self.settings.failures)
            self._open(seconds)

    def _open(self, seconds: float) -> None:
        self._open_until, self._trial = self.clock() + seconds, None
        log.warning("%s: circuit open for %.1f s", self.name, seconds,
                    extra={"target": self.name, "action": "circuit-open"})  # fmt: skip


class RateLimiter:
    """A token bucket; ``acquire`` sleeps until a request may go and returns the seconds slept."""

    def __init__(
        self,
        settings: RateLimitSettings,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate, self.burst = settings.per_second, float(settings.burst)
        self.clock, self.sleep = clock, sleep
        self._tokens = self.burst
        self._at = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self.clock()
            self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
            self._at = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait:
            self.sleep(wait)
        return wait
