from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from backoffice.connectors.resilience import (
    CircuitBreaker,
    CircuitOpen,
    CircuitSettings,
    RateLimiter,
    RateLimitSettings,
    RetrySettings,
    backoff,
    retry_after,
)


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens():
    settings = RetrySettings(backoff_seconds=0.5, max_backoff_seconds=3, jitter=0)
    assert [backoff(n, settings) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittered = RetrySettings(backoff_seconds=1, jitter=0.5)
    delays = {backoff(1, jittered, random.Random(seed)) for seed in range(20)}
    assert len(delays) > 10 and all(0.5 <= d <= 1.0 for d in delays)


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now=lambda: now) == 30.0
    assert retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now=lambda: now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_breaker_opens_after_failures_in_a_row_and_lets_one_trial_through():
    clock = [0.0]
    breaker = CircuitBreaker("erp", CircuitSettings(failures=2, reset_seconds=10), clock=lambda: clock[0])
    breaker.failure()
    breaker.success()  # a success resets the count
    breaker.failure()
    breaker.check()
    breaker.failure()
    assert breaker.paused_until == 10.0
    with pytest.raises(CircuitOpen, match="erp: paused"):
        breaker.check()
    clock[0] = 10.5
    breaker.available()  # asking takes no trial
    breaker.check()  # the trial
    with pytest.raises(CircuitOpen):
        breaker.check()  # only one at a time
    breaker.failure()  # the trial failed: paused again
    assert breaker.paused_until == 20.5
    clock[0] = 21
    breaker.check()
    breaker.success()
    breaker.check()
    breaker.check()
    assert breaker.paused_until is None


def test_pause_opens_the_circuit_for_the_time_asked():
    clock = [100.0]
    breaker = CircuitBreaker("erp", CircuitSettings(failures=5, reset_seconds=10), clock=lambda: clock[0])
    breaker.pause(90)
    assert breaker.paused_until == 190.0


def test_rate_limiter_token_bucket():
    clock, slept = [0.0], []
    limiter = RateLimiter(RateLimitSettings(per_second=10, burst=2), clock=lambda: clock[0], sleep=slept.append)
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]  # the burst
    assert limiter.acquire() == pytest.approx(0.1)
    clock[0] = 1.0  # a quiet second refills the bucket, never above the burst
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire() == pytest.approx(0.1)
    assert slept == [pytest.approx(0.1), pytest.approx(0.1)]


def test_a_trial_that_never_reports_does_not_block_the_target_for_ever():
    clock = [0.0]
    breaker = CircuitBreaker("erp", CircuitSettings(failures=1, reset_seconds=10), clock=lambda: clock[0])
    breaker.failure()
    clock[0] = 10.0
    breaker.check()  # a trial whose outcome was lost (the process was busy elsewhere)
    clock[0] = 15.0
    with pytest.raises(CircuitOpen):
        breaker.check()
    clock[0] = 20.0
    breaker.check()  # a new trial
