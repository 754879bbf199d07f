"""Prometheus metrics of a runner (prometheus-client), served at ``/metrics``.

- ``backoffice_items{bot,status}``: the queue's depth, read from the store at each scrape;
- ``backoffice_oldest_pending_age_seconds{bot}``: how long the oldest due item has waited;
- ``backoffice_stage_seconds{bot,stage}``: extract, rules, post and the whole item (histogram);
- ``backoffice_items_handled_total{bot,outcome}``, ``backoffice_exceptions_total{bot,code}``,
  ``backoffice_retries_total{bot,code}``: what this runner did.

:class:`Metrics` is an observer the runner calls as it finishes each stage and item
(:mod:`backoffice.observer`); :func:`serve_metrics` starts the HTTP endpoint in a daemon
thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from backoffice.observer import Observer
from backoffice.queue.base import Status, Store

log = logging.getLogger(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class QueueCollector(Collector):
    """Queue depth by bot and status, and the oldest due item's age, read at scrape time."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time):
        self.store, self.clock = store, clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("backoffice_items", "Work items in the queue by bot and status.",
                                  labels=["bot", "status"])  # fmt: skip
        age = GaugeMetricFamily("backoffice_oldest_pending_age_seconds",
                                "Age of the oldest pending or retrying item, by bot.", labels=["bot"])  # fmt: skip
        try:
            counts = self.store.counts()
            oldest = self.store.oldest_pending()
        except Exception:
            log.exception("cannot read the queue for metrics", extra={"action": "metrics"})
            return
        for bot, statuses in sorted(counts.items()):
            for status in Status:
                depth.add_metric([bot, status.value], statuses.get(status.value, 0))
        now = self.clock()
        for bot, created in sorted(oldest.items()):
            age.add_metric([bot], max(now - created, 0.0))
        yield depth
        yield age


class Metrics(Observer):
    """The metrics of one runner process, in their own registry."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time):
        self.registry = CollectorRegistry()
        self.registry.register(QueueCollector(store, clock))
        self.stage_seconds = Histogram("backoffice_stage_seconds", "Duration of a stage of an item.",
                                       ["bot", "stage"], buckets=BUCKETS, registry=self.registry)  # fmt: skip
        self.handled = Counter("backoffice_items_handled", "Items this runner handled, by outcome.",
                               ["bot", "outcome"], registry=self.registry)  # fmt: skip
        self.exceptions = Counter("backoffice_exceptions", "Items sent to the exception queue, by reason code.",
                                  ["bot", "code"], registry=self.registry)  # fmt: skip
        self.retries = Counter("backoffice_retries", "Items scheduled for a retry, by reason code.",
                               ["bot", "code"], registry=self.registry)  # fmt: skip

    def stage(self, bot: str, stage: str, seconds: float) -> None:
        self.stage_seconds.labels(bot, stage).observe(seconds)

    def item(self, bot: str, status: Status, code: str | None, seconds: float) -> None:
        self.stage_seconds.labels(bot, "item").observe(seconds)
        self.handled.labels(bot, status.value).inc()
        if status == Status.EXCEPTION:
            self.exceptions.labels(bot, code or "unknown").inc()
        elif status == Status.RETRYING:
            self.retries.labels(bot, code or "unknown").inc()


def instrument(runner: Any, metrics: Metrics) -> None:
    """Make ``metrics`` the runner's observer: the runner times its items and their stages
    (extraction, rules, target calls) into it, its worker processes' included."""
    runner.observer = metrics


def serve_metrics(store: Store, host: str = "127.0.0.1", port: int = 0, runner: Any = None) -> int:
    """Serve ``/metrics`` on ``host:port`` (0: a free port) from a daemon thread; return the port."""
    metrics = Metrics(store)
    if runner is not None:
        instrument(runner, metrics)
    server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
    bound = server.server_address[1]
    log.info("metrics on http://%s:%s/metrics", host, bound, extra={"action": "metrics"})
    return bound


__all__ = ["Metrics", "QueueCollector", "instrument", "serve_metrics"]
