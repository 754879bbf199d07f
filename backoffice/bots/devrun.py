"""One file through one bot, in the foreground, as the runner would take it: ``backoffice dev run``.

The deployment's bots.yaml and rule files are used as they are, but the queue and the stored
files live in a scratch workspace (a fresh SQLite queue; a temporary folder unless one is
given), so trying a bot never touches the real queue, and the real :class:`Runner` handles the
item (leases, the effect ledger, business versus application errors: what ``backoffice run``
does). Each stage is reported as it ends, through the runner's observer
(:class:`StageReporter`) and the targets (:class:`ReportingTarget`):

    intake -> extract (fields and confidences) -> rules (the verdict) -> post (each target) -> result

A Python bot's item (``kind: python``) is told as its handler works: extract (``item.read``),
post (each ``item.post``), then ``handler`` (what it saved, or the error it raised).

Targets are not posted to unless ``post=True``: each is replaced by a :class:`DryRunTarget`
that records what it would have been given and answers ``dry-run:<target>``; the real one is
not even built (some connect, or start a browser, when built). Posting for real writes where
the target's settings say; paths relative to the workspace land in the scratch workspace.

A duplicates rule sees only the scratch queue, so it never finds an earlier item here; learned
layouts of the real queue are not used either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backoffice.bots.runner import Runner
from backoffice.config import Config
from backoffice.connectors.base import Context, Intake, Target
from backoffice.documents.models import Document
from backoffice.errors import BackofficeError, BusinessError, ConfigError, StageError
from backoffice.observer import Observer
from backoffice.queue import open_store
from backoffice.queue.base import Status, Store, WorkItem


@dataclass
class Stage:
    """One stage of the item, reported as it ends: ``name`` is ``intake``, ``extract``,
    ``rules``, ``post``, ``handler`` (a Python bot's) or ``result``; ``detail`` what it found
    (JSON values)."""

    name: str
    ok: bool = True
    seconds: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seconds = None if self.seconds is None else round(self.seconds, 3)
        return {"stage": self.name, "ok": self.ok, "seconds": seconds, **self.detail}


Report = Callable[[Stage], None]


@dataclass
class DevRun:
    """How the item ended, and every stage it went through."""

    bot: str
    file: str
    item: WorkItem
    stages: list[Stage]
    posted: bool
    workspace: Path

    @property
    def done(self) -> bool:
        return self.item.status == Status.DONE

    def to_dict(self) -> dict[str, Any]:
        return {
            "bot": self.bot,
            "file": self.file,
            "item": self.item.id,
            "status": self.item.status.value,
            "reason": self.item.reason,
            "code": self.item.error_code,
            "dry_run": not self.posted,
            "workspace": str(self.workspace),
            "stages": [stage.to_dict() for stage in self.stages],
        }


def scratch_config(config: Config, bot: str, workspace: Path, *, post: bool) -> Config:
    """``config`` with its queue and files in ``workspace`` (a fresh SQLite queue), no digest
    mails, the runner's work done in this process, and ``bot``'s targets left out unless
    ``post`` (they are replaced by dry-run targets once the bot is built)."""
    try:
        config.bot(bot)
    except KeyError:
        known = ", ".join(b.name for b in config.bots) or "none"
        raise ConfigError(f"{config.path}: no bot named {bot} (known: {known})") from None
    bots = [b if b.name != bot or post else b.model_copy(update={"targets": []}) for b in config.bots]
    update = {
        "workspace": str(workspace.resolve()),
        "queue": None,
        "notify": None,
        "runner": config.runner.model_copy(update={"workers": 0, "metrics_port": None}),
        "bots": bots,
    }
    scratch = config.model_copy(update=update)
    scratch._path = config.path  # rule files and handlers are found beside the real bots.yaml
    return scratch


def dev_run(
    config: Config, bot: str, file: Path, workspace: Path, *, post: bool = False, report: Report | None = None
) -> DevRun:
    """Take ``file`` through ``bot`` of ``config`` with a fresh queue in ``workspace`` (see the
    module's docstring); ``report`` is told of each stage as it ends."""
    if not file.is_file():
        raise BackofficeError(f"{file}: no such file")
    if workspace.exists() and any(workspace.iterdir()):  # an earlier run's queue would take the file as known
        raise BackofficeError(f"{workspace}: not empty; a dev run starts from a fresh queue in a new or empty folder")
    stages: list[Stage] = []

    def told(stage: Stage) -> None:
        stages.append(stage)
        if report is not None:
            report(stage)

    scratch = scratch_config(config, bot, workspace, post=post)
    workspace.mkdir(parents=True, exist_ok=True)
    store = open_store(scratch.queue_url)
    try:
        after = _handle(scratch, store, bot, file, told, real_targets=post, targets=config.bot(bot).targets)
    finally:
        store.close()
    told(Stage("result", after.status == Status.DONE, None, _result(after)))
    return DevRun(bot, file.name, after, stages, post, workspace)


def _handle(
    scratch: Config, store: Store, bot: str, file: Path, told: Report, *, real_targets: bool, targets: list[Any]
) -> WorkItem:
    """Take in the file, then let a runner of ``bot`` claim and handle it."""
    runner = Runner(scratch, store, bots=[bot], workers=0, owner=f"dev-run-{bot}", prepare=False)
    try:
        built = runner.bots[bot]
        if real_targets:
            built.targets = [ReportingTarget(target, told) for target in built.targets]
        else:  # the real targets were left out of the scratch config: never built
            built.targets = [ReportingTarget(DryRunTarget(t, built.context), told) for t in targets]
        item = _intake(store, built.context, file, told)
        claimed = store.claim(runner.owner, bots=[bot], lease=runner.lease)
        if [c.id for c in claimed] != [item.id]:
            raise BackofficeError(f"the scratch queue in {scratch.workspace} gave {claimed} instead of item {item.id}")
        handler = built.handler.name if built.handler is not None else None
        observer = StageReporter(store, item.id, told, handler)
        runner.observer = observer
        after = runner.handle(claimed[0])
        observer.flush(after)
        return after
    finally:
        runner.close()


def _intake(store: Store, context: Context, file: Path, told: Report) -> WorkItem:
    """The file as a source would give it: stored by content, an item with its name."""
    start = time.perf_counter()
    stored = context.files.put_file(file, file.name)
    payload = {"file": file.name, "received_at": datetime.now(UTC).isoformat(), "size": stored.size}
    item, _ = Intake(store, context).add(f"dev:sha256:{stored.sha256}", files=(stored,), payload=payload)
    detail = {"item": item.id, "file": file.name, "bytes": stored.size, "sha256": stored.sha256}
    told(Stage("intake", True, time.perf_counter() - start, detail))
    return item


class StageReporter(Observer):
    """The runner's observer during a dev run. The runner times ``extract`` and ``rules`` before
    it saves what they found on the item, so their stages are told once it has (when the first
    target is called, or when the item ends), with the document's fields and the verdict."""

    def __init__(self, store: Store, item_id: int, report: Report, handler: str | None = None) -> None:
        self.store, self.item_id, self.report, self.handler = store, item_id, report, handler
        self.pending: list[tuple[str, float, BaseException | None]] = []
        self.told: set[str] = set()

    @contextmanager
    def timed(self, bot: str, stage: str) -> Iterator[None]:
        if stage == "post":
            self.flush(self.store.get(self.item_id))
        start, failed = time.perf_counter(), None
        try:
            yield
        except BaseException as exc:
            failed = exc
            raise
        finally:
            seconds = time.perf_counter() - start
            self.stage(bot, stage, seconds)
            if stage != "post":  # a target's stage is told by its ReportingTarget
                self.pending.append((stage, seconds, failed))

    def flush(self, item: WorkItem) -> None:
        """Tell the stages that ended, with what ``item`` holds now."""
        pending, self.pending = self.pending, []
        if "document" in item.payload and "extract" not in self.told and not any(s == "extract" for s, *_ in pending):
            pending.insert(0, ("extract", 0.0, None))  # read elsewhere (a python bot's item.read)
        for stage, seconds, failed in pending:
            self.told.add(stage)
            detail = _failure(failed) if failed is not None else {}
            if stage == "extract" and "document" in item.payload:
                detail = {**_document(item.payload["document"]), **detail}
            elif stage == "rules" and failed is None:
                detail = _verdict(item.payload.get("verdict"))
            elif stage == "handler":  # a python bot's handler (kind: python), after its own stages
                detail = {"handler": self.handler, "saved": item.payload.get("saved", {}), **detail}
            ok = failed is None and not (stage == "rules" and detail.get("passed") is False)
            self.report(Stage(stage, ok, seconds or None, detail))


class DryRunTarget(Target):
    """Stands in for a bot's target in a dev run: records what it was given, posts nothing,
    and answers ``dry-run:<target>``."""

    def __init__(self, settings: Any, context: Context) -> None:
        super().__init__(settings, context)
        self.given: list[Document] = []

    def post(self, item: WorkItem, document: Document) -> str:
        self.given.append(document)
        return f"dry-run:{self.name}"

    @property
    def idempotent(self) -> bool:
        return True


class ReportingTarget(Target):
    """A target that tells a dev run's report of each post: the target, the reference it
    answered, and the document's values it was given."""

    def __init__(self, inner: Target, report: Report) -> None:
        super().__init__(inner.settings, inner.context)
        self.inner, self.report = inner, report

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def idempotent(self) -> bool:
        return self.inner.idempotent

    @property
    def can_lookup(self) -> bool:
        return self.inner.can_lookup

    def lookup(self, item: WorkItem, document: Document) -> str | None:
        return self.inner.lookup(item, document)

    def idempotency_key(self, item: WorkItem) -> str:
        return self.inner.idempotency_key(item)

    def paused_until(self) -> float | None:
        return self.inner.paused_until()

    def check_available(self) -> None:
        self.inner.check_available()

    def close(self) -> None:
        self.inner.close()

    def post(self, item: WorkItem, document: Document) -> str:
        dry = isinstance(self.inner, DryRunTarget)
        detail: dict[str, Any] = {"target": self.name, "kind": self.settings.kind, "dry_run": dry}
        detail["values"] = {name: f.value for name, f in document.fields.items()}
        detail["lines"] = len(document.lines)
        start = time.perf_counter()
        try:
            ref = self.inner.post(item, document)
        except BaseException as exc:
            self.report(Stage("post", False, time.perf_counter() - start, {**detail, **_failure(exc)}))
            raise
        self.report(Stage("post", True, time.perf_counter() - start, {**detail, "reference": ref}))
        return ref


def _failure(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, StageError):
        kind = "business" if isinstance(exc, BusinessError) else "application"
        return {"error": exc.reason, "code": exc.code, "field": exc.field, "error_kind": kind}
    return {"error": f"{type(exc).__name__}: {exc}", "code": "unexpected", "error_kind": "application"}


def _document(document: dict[str, Any]) -> dict[str, Any]:
    """What the extractor found: the fields the rules set are told by the rules stage."""
    fields = {
        name: {"value": f["value"], "confidence": f.get("confidence"), "method": f.get("method")}
        for name, f in document.get("fields", {}).items()
        if f.get("method") != "rule"
    }
    return {
        "kind": document.get("kind"),
        "method": document.get("method"),
        "pages": document.get("pages"),
        "fields": fields,
        "lines": len(document.get("lines", [])),
        "warnings": document.get("warnings", []),
    }


def _verdict(verdict: dict[str, Any] | None) -> dict[str, Any]:
    if verdict is None:
        return {"rules_file": None, "passed": None}
    failed = [o for o in verdict.get("outcomes", []) if not o.get("ok") and not o.get("skipped")]
    return {
        "rules_file": verdict.get("rules_file"),
        "passed": verdict.get("passed"),
        "checked": len(verdict.get("outcomes", [])),
        "errors": [{"rule": o["rule"], "message": o.get("message", "")} for o in failed if o["severity"] == "error"],
        "warnings": [{"rule": o["rule"], "message": o.get("message", "")} for o in failed if o["severity"] != "error"],
        "set": verdict.get("set", {}),
        "holds": verdict.get("holds", []),
    }


def _result(item: WorkItem) -> dict[str, Any]:
    return {
        "item": item.id,
        "status": item.status.value,
        "reason": item.reason,
        "code": item.error_code,
        "attempts": item.attempts,
        "refs": dict(item.refs),
    }
