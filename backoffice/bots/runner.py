"""The runner: collect new work, then claim -> handle -> complete.

:meth:`Runner.loop` is the one loop: ``backoffice run`` (:mod:`backoffice.bots.service`) and
``run --once`` (:meth:`Runner.run_once`) both run it. Each step handles one item in the runner,
or, with ``runner.workers`` of 2 or more, a batch in worker processes
(:mod:`backoffice.bots.workers`). The runner tells its ``observer`` how long each stage took
and how each item ended (:mod:`backoffice.observer`; metrics listen).

A ``BusinessError`` sends the item to the exception queue; an ``ApplicationError`` or any
unexpected exception (logged with its traceback) to ``retrying`` with exponential backoff and
jitter. ``request_stop()`` (the CLI calls it on SIGINT/SIGTERM) stops claiming after the
current item; ``Interrupted`` raised inside an item releases it back to the queue.

Every target call goes through the queue's effect ledger (:func:`post_once`), so a retry, a
restart after a crash or a lease expiry never posts an item twice. While an item is handled a
heartbeat renews its lease. A bot whose target is paused (its circuit is open) gets no work
until the pause ends; an item that meets a paused target is released without using an attempt.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backoffice.bots import mail_parent, python, reading, stages
from backoffice.bots.bot import Bot, build_bots
from backoffice.observer import Observer
from backoffice.bots.outages import Outages
from backoffice.bots.workers import ItemWorkers
from backoffice.config import Config
from backoffice.connectors.base import Intake
from backoffice.connectors.ledger import post_once
from backoffice.connectors.resilience import CircuitOpen
from backoffice.connectors.smtp import Notifier
from backoffice.documents.models import Document
from backoffice.errors import BusinessError, ConfigError, LeaseLost, StageError
from backoffice.learning import hooks as learning
from backoffice.logs import log_context, run_log
from backoffice.queue.base import Status, Store, WorkItem
from backoffice.processes import worker_count
from backoffice.queue.files import FileStore
from backoffice.rules import approvals
from backoffice.rules.duplicates import backfill

log = logging.getLogger(__name__)


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, not an error
    """Raised into the running item when the operator insists on stopping now."""


@dataclass
class RunSummary:
    run_id: str
    collected: int = 0
    outcomes: Counter = field(default_factory=Counter)
    log_path: str | None = None

    def to_dict(self) -> dict:
        return {"run": self.run_id, "collected": self.collected, "outcomes": dict(self.outcomes), "log": self.log_path}


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class Runner:
    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        bots: list[str] | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
        workers: int | None = None,
        prepare: bool = True,
    ):
        """``workers``: worker processes (default: the config's); ``prepare``: key again the items
        of a changed duplicates rule and sweep stale temporary files (a worker does neither)."""
        self.config, self.store = config, store
        self.files = FileStore(config.workspace_path / "files")
        self.bots: dict[str, Bot] = build_bots(config, self.files, bots)
        if not self.bots:
            raise ConfigError(f"{config.path}: no enabled bot to run (name one, or set enabled: true)")
        # The lease owner must be unique per process, even when runner.name is set or a
        # container restarts with the same host name and PID.
        self.owner = owner or f"{config.runner.name or socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.lease = config.runner.lease_seconds
        self.outages = Outages(store)
        self.rng = rng or random.Random()
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by a source that saw new work (IMAP IDLE), or by a stop
        self.notifier = Notifier(config.notify, config.workspace_path) if config.notify else None
        self.heartbeat = Heartbeat(store, self.owner, self.lease)
        self.policy = approvals.Policy.of(config)
        self.observer = Observer()  # told of each stage and item (metrics listen: backoffice.metrics)
        count = worker_count(config.runner.workers if workers is None else workers)
        shared = not config.queue_url.startswith("memory:")  # workers open the queue themselves
        self.workers = ItemWorkers(self, count) if count > 1 and shared else None
        self.set_run(new_run_id())
        if prepare:
            self._prepare()

    @classmethod
    def for_worker(cls, config: Config, store: Store, bots: list[str], owner: str) -> Runner:
        """The runner a worker process acts as, with this runner's lease owner (see
        :mod:`backoffice.bots.item_worker`, which is handed this rather than importing us)."""
        return cls(config, store, bots=bots, owner=owner, workers=0, prepare=False)

    def _prepare(self) -> None:
        store = self.store
        for bot in self.bots.values():  # items keyed by another rule file (or by none) are keyed again
            if bot.rules is not None and bot.rules.duplicates:
                backfill(store, bot.name, bot.rules.duplicates)
        for files in {bot.context.files.root: bot.context.files for bot in self.bots.values()}.values():
            if swept := files.sweep():  # temporary files of a runner killed while writing
                log.info("deleted %d stale temporary files in %s", swept, files.root, extra={"action": "sweep"})

    # -- control -------------------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def wake(self) -> None:
        """Collect now instead of at the next poll (a source saw new work)."""
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()  # items claimed ahead go back to the queue
        self.heartbeat.stop()
        self.outages.close()
        for bot in self.bots.values():
            bot.close()

    def set_run(self, run_id: str, log_path: str | None = None) -> None:
        """The run the runner works in now, and its log file (its workers write there too)."""
        self.run_id, self.log_path = run_id, log_path
        for bot in self.bots.values():
            bot.context.run = run_id

    # -- the loop ------------------------------------------------------------------------
    def collect(self) -> int:
        """Ask every bot's source for new work. A failing source is not fatal: its outage is
        logged once, when it starts and when it ends (:mod:`backoffice.bots.outages`)."""
        new = 0
        for bot in self.bots.values():
            try:
                new += bot.source.collect(Intake(self.store, bot.context))
            except Exception as exc:  # noqa: BLE001 - a failing source is never fatal; Outages tells it once
                self.outages.failed(bot.name, exc)
            else:
                self.outages.worked(bot.name)
        return new

    def notify(self, force: bool = False) -> None:
        """Send the supervisors' digest when one is due; a mail server that is down is logged."""
        if self.notifier is None or not (force or self.notifier.due()):
            return
        try:
            self.notifier.send_digest(self.store)
        except StageError as exc:
            log.warning("digest not sent: %s", exc.reason, extra={"action": "notify"})

    def process_next(self) -> WorkItem | None:
        """Claim one due item and handle it; None when nothing is due (or every bot is paused)."""
        ready = [name for name, bot in self.bots.items() if bot.paused_until() is None]
        if not ready:
            return None
        claimed = self.store.claim(self.owner, bots=ready, lease=self.lease)
        if not claimed:
            return None
        return self.handle(claimed[0])

    def step(self) -> list[WorkItem]:
        """Handle what is due now: a batch through the worker processes when the runner has
        them, else one item here; [] when nothing is due (or every bot is paused)."""
        if self.workers is not None:
            return self.workers.process_batch()
        item = self.process_next()
        return [] if item is None else [item]

    def loop(
        self,
        summary: RunSummary,
        idle: Callable[[], bool],
        *,
        on_item: Callable[[WorkItem], None] | None = None,
        between: Callable[[], object] | None = None,
        patient: bool = True,
    ) -> None:
        """The runner's one loop (``backoffice run`` and ``run --once`` both run it): handle due
        items until :meth:`request_stop`. ``idle()`` is called when nothing is due: it waits
        for work and says whether to go on. ``between()`` runs before each step (a service's
        scheduled runs). A queue that fails (locked, down) is waited for ``poll_seconds`` when
        ``patient``, else its error ends the loop."""
        poll = self.config.runner.poll_seconds
        while not self.stopping:
            if between is not None:
                between()
            try:
                items = self.step()
            except Interrupted:
                raise
            except Exception:
                if not patient:
                    raise
                log.exception("cannot claim from the queue; trying again in %s s", poll, extra={"action": "claim"})
                self._stop.wait(poll)
                continue
            if not items:
                if not idle():
                    break
                continue
            for item in items:
                summary.outcomes[item.status.value] += 1
                if on_item:
                    on_item(item)

    def run_once(self, on_item: Callable[[WorkItem], None] | None = None, run_id: str | None = None) -> RunSummary:
        """Collect once, then process every item that is due until none is left (``run --once``)."""
        summary = RunSummary(run_id or new_run_id())
        self.set_run(summary.run_id)
        logs = self.config.workspace_path / "logs"
        with run_log(logs, summary.run_id, **self.config.runner.log_options()) as path:
            summary.log_path = str(path)
            self.set_run(summary.run_id, summary.log_path)
            log.info("run started by %s", self.owner, extra={"action": "run-start"})
            summary.collected = self.collect()
            self.loop(summary, self._wait_for_paused, on_item=on_item, patient=False)
            self.notify(force=True)
            log.info("run finished: %s", dict(summary.outcomes), extra={"action": "run-end"})
        return summary

    def _wait_for_paused(self) -> bool:
        """Nothing is due: wait for a paused target that items wait for, or end the run."""
        wait = self._pause_with_work()
        if wait is None:
            return False
        self._stop.wait(wait)  # a target's circuit is open and items wait for it
        return True

    def _pause_with_work(self) -> float | None:
        """Seconds until the first paused bot that has pending items resumes, or None when no
        paused bot has any (``run --once`` ends only when nothing due is left)."""
        paused = {name: until for name, bot in self.bots.items() if (until := bot.paused_until()) is not None}
        if not paused:
            return None
        counts = self.store.counts()
        waiting = {name: until for name, until in paused.items() if counts.get(name, {}).get("pending", 0)}
        if not waiting:
            return None
        name = min(waiting, key=waiting.__getitem__)
        seconds = max(waiting[name] - time.monotonic(), 0.0) + 0.01
        log.info(
            "bot %s: its target is paused; %d items wait %.1f s for it",
            name,
            counts[name]["pending"],
            seconds,
            extra={"bot": name, "action": "wait-for-target"},
        )
        return seconds

    # -- one item ------------------------------------------------------------------------
    def handle(self, item: WorkItem, document: Document | None = None) -> WorkItem:
        """Take the item through its stages and record the outcome; ``document`` is the item's
        document when it was read elsewhere and not saved yet. The observer is told how it ended."""
        start = time.perf_counter()
        after = self._handle(item, document)
        self.observer.finished(after, time.perf_counter() - start)
        return after

    def _handle(self, item: WorkItem, document: Document | None = None) -> WorkItem:
        bot = self.bots[item.bot]
        fields = {"bot": bot.name, "item": item.id}
        with log_context(bot=bot.name, item=item.id):
            try:
                with self.heartbeat.holding(item.id):
                    if mail_parent.is_mail_parent(item):
                        mail_parent.handle(bot.source, item, self.store, self.owner)
                    elif bot.handler is not None:  # a Python bot: its handler instead of the stages
                        item = python.handle(self, bot, item, document)
                    else:
                        item = self._stages(bot, item, fields, document)
                log.info("item %s done", item.id, extra={"action": "complete"})
                why = approvals.posted_note(item.payload)
                done = self._record(item, lambda: self.store.complete(item.id, self.owner, why=why))
                learning.on_done(self.store, bot, done)  # a person's correction teaches a layout
                mail_parent.wake_parent(self.store, done, self.owner)  # the mail (or handing item) it finishes
                return done
            except BusinessError as exc:
                log.info("item %s to exception queue: %s", item.id, exc.reason, extra={"action": "exception"})
                self._keep_evidence(item, exc)
                return self._record(item, lambda: self.store.to_exception(
                    item.id, self.owner, reason=exc.reason, code=exc.code))  # fmt: skip
            except LeaseLost:
                return self._record(item, lambda: self.store.get(item.id))
            except mail_parent.Waiting as wait:  # a mail waits for its documents, using no attempt
                return self._record(item, lambda: self.store.release(
                    item.id, self.owner, why=wait.reason, not_before=wait.not_before))  # fmt: skip
            except Interrupted:
                self._record(item, lambda: self.store.release(item.id, self.owner, why="runner interrupted"))
                log.warning("item %s released: runner interrupted", item.id, extra={"action": "release"})
                raise
            except CircuitOpen as exc:  # nothing was sent; the bot waits for the target, the item keeps its attempt
                log.warning("item %s released: %s", item.id, exc.reason, extra={"action": "release"})
                return self._record(item, lambda: self.store.release(item.id, self.owner, why=exc.reason))
            except Exception as exc:
                if isinstance(exc, StageError):
                    self._keep_evidence(item, exc)
                return self._record(item, lambda: self._retry_later(bot, item, exc, fields))

    def _record(self, item: WorkItem, outcome: Callable[[], WorkItem]) -> WorkItem:
        """Record an item's outcome; when the lease was lost meanwhile (another runner took the
        item after it expired), say so and leave the item to that runner."""
        try:
            return outcome()
        except LeaseLost:
            log.warning("item %s: lease lost; another runner has it", item.id, extra={"action": "lease-lost"})
            return self.store.get(item.id)

    def _keep_evidence(self, item: WorkItem, exc: StageError) -> None:
        if not exc.evidence:
            return
        current = self.store.get(item.id)
        kept = [*current.payload.get("evidence", []), *(f.to_dict() for f in exc.evidence)]
        try:
            self.store.update(item.id, self.owner, payload={**current.payload, "evidence": kept})
        except LeaseLost:
            pass  # _record reports it

    def _stages(self, bot: Bot, item: WorkItem, fields: dict, document: Document | None = None) -> WorkItem:
        if document is None:
            with self.observer.timed(bot.name, "extract"):
                document, item = self._read(bot, item)
        learned = learning.on_extracted(self.store, bot, item, document)  # read with learned layouts
        with self.observer.timed(bot.name, "rules"):
            verdict = stages.apply_rules(bot, document, item, self.store, self.policy)
        payload = {**item.payload, "document": document.to_dict()}
        payload.pop(reading.READING, None)
        if learned is not None:
            payload["learned"] = learned
        if verdict is not None:
            payload["verdict"] = verdict.to_dict()
        if payload != item.payload:
            item = self.store.update(item.id, self.owner, payload=payload)
        stages.refuse_unapproved(payload, self.policy)
        stages.reject_if_failed(verdict)
        learning.hold_for_review(learned)  # the learned layout and the reader disagree: a person looks
        ledger = {effect.target: effect for effect in self.store.effects(item.id)}
        for target in bot.targets:
            earlier = ledger.get(target.name)
            with self.observer.timed(bot.name, "post"):
                ref = post_once(self.store, self.owner, item, document, target, earlier)
            if earlier is None or earlier.external_id != ref:
                log.info("item %s posted to %s as %s", item.id, target.name, ref,
                         extra={**fields, "action": "post", "target": target.name})  # fmt: skip
        return item

    def _read(self, bot: Bot, item: WorkItem) -> tuple[Document, WorkItem]:
        """The item's document. Its file is read here after marking the item ``reading``; an
        item whose earlier reading killed a runner or worker is read in a capped process of its
        own instead (:mod:`backoffice.bots.reading`)."""
        if not reading.needs_reading(item):
            return stages.extract(bot, item), item
        if reading.suspect(item):
            return reading.read_isolated(bot, item), item
        unmarked = item.payload
        marked = {**unmarked, reading.READING: {"by": self.owner, "at": datetime.now(UTC).isoformat()}}
        item = self.store.update(item.id, self.owner, payload=marked)
        try:
            return stages.extract(bot, item), item
        except Exception:  # the reader failed but lived: the mark is not evidence of a death
            self.store.update(item.id, self.owner, payload=unmarked)
            raise

    def _retry_later(self, bot: Bot, item: WorkItem, exc: Exception, fields: dict) -> WorkItem:
        if isinstance(exc, StageError):
            reason, code = exc.reason, exc.code
            log.warning("item %s failed: %s", item.id, reason, extra={**fields, "action": "fail"})
        else:
            reason, code = f"{type(exc).__name__}: {exc}", "unexpected"
            log.error("item %s failed unexpectedly", item.id, exc_info=True, extra={**fields, "action": "fail"})
        delay = bot.config.retry.delay(item.attempts, self.rng)
        not_before = datetime.now(UTC) + timedelta(seconds=delay)
        after = self.store.retry_later(item.id, self.owner, reason=reason, code=code, not_before=not_before)
        if after.status == Status.RETRYING:
            log.info("item %s retries in %.0f s", item.id, delay, extra={**fields, "action": "retrying"})
        return after


class Heartbeat:
    """Renews the lease of the item being handled, every third of the lease, from a daemon
    thread: a slow target call or a long extraction never lets the lease run out while the
    runner is alive (a dead runner's lease still expires)."""

    IDLE_SECONDS = 30.0  # a thread with nothing to renew for this long ends; the next item starts one

    def __init__(self, store: Store, owner: str, lease: float):
        self.store, self.owner, self.lease = store, owner, lease
        self._item: int | None = None
        self._wake = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def holding(self, item_id: int) -> _Holding:
        return _Holding(self, item_id)

    def _set(self, item_id: int | None) -> None:
        with self._wake:
            self._item = item_id
            if item_id is not None and self._thread is None and not self._stopped:
                self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{self.owner}", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _beat(self) -> None:
        interval = self.lease / 3
        with self._wake:
            while not self._stopped:
                held = self._item
                if held is None:
                    if not self._wake.wait(self.IDLE_SECONDS) and self._item is None:
                        break
                    continue
                self._wake.wait(interval)
                if self._stopped or self._item != held:
                    continue  # finished in time, or another item: start a fresh interval
                try:
                    self.store.extend(held, self.owner, lease=self.lease)
                except LeaseLost:
                    log.warning("item %s: lease lost during a heartbeat", held,
                                extra={"item": held, "action": "lease-lost"})  # fmt: skip
                    self._item = None
                except Exception:  # the queue is busy: the next beat tries again
                    log.exception("heartbeat for item %s failed", held, extra={"item": held, "action": "heartbeat"})
            self._thread = None

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            thread = self._thread
            self._wake.notify()
        if thread is not None:
            thread.join(timeout=5)


class _Holding:
    def __init__(self, heartbeat: Heartbeat, item_id: int):
        self.heartbeat, self.item_id = heartbeat, item_id

    def __enter__(self) -> None:
        self.heartbeat._set(self.item_id)

    def __exit__(self, *exc: object) -> None:
        self.heartbeat._set(None)
