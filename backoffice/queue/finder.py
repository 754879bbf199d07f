"""Reading the queue the way supervisors look at it: filtered, searched, sorted and paged
lists, and the dashboard's figures.

The Store contract lists by status and bot only; the exception queue also filters by reason,
error code, vendor, date and free text. Each backend gives its :class:`Finder` with
``Store.finder()``: :class:`SQLFinder` on SQLite and PostgreSQL (filters, sorts, counts and
pages in SQL, written once; what differs is the backend's :class:`Dialect`, and its named
queries in ``queries/finder.*.sql``), :class:`ScanFinder` on the memory store (pages through
``Store.list`` and filters in Python). They answer the same :class:`ItemFilter` the same way.
"""

from __future__ import annotations

import abc
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from backoffice.queue import queries
from backoffice.queue.base import Status, WorkItem

if TYPE_CHECKING:
    from backoffice.queue.base import Store

AMOUNT, NUMBER, DOC_DATE = ("$.document.fields.grand_total.value", "$.document.fields.invoice_number.value",
                            "$.document.fields.issue_date.value")  # fmt: skip
ASSIGNEE = "$.assignee"
# sorts by a field of the payload: the field's column (with an index on the exception queue)
BY_FIELD = {"amount": "amount", "document-date": "doc_date", "number": "doc_number", "assignee": "assignee"}
SORTS = ("newest", "oldest", "updated", "deadline", "bot", "amount", "document-date", "number", "attempts", "assignee")


PER_PAGE = (20, 50, 100, 200)
MAX_PAGE = 1_000_000


class BadQuery(ValueError):
    """A query string the exception list cannot answer (a page far out of range)."""


DAY = 86_400.0
WAITING = (Status.PENDING, Status.RETRYING, Status.EXCEPTION)
VENDOR = "$.document.fields.seller_name.value"
SEARCHED = (  # the references and names full-text search looks in
    "$.file", "$.document.fields.invoice_number.value", "$.document.fields.order_reference.value",
    "$.document.fields.seller_name.value", "$.document.fields.buyer_name.value",
    "$.document.fields.order_number.value", "$.document.fields.employee_name.value",
    "$.mail.subject", "$.mail.from",
)  # fmt: skip


NOBODY = "(nobody)"  # the assignee filter's "unassigned" (no user name has parentheses)
# The items that may wait for a four-eyes approval (migration 9 keeps the column and its index);
# written out as the partial index says it, so that the index serves.
AWAITING = "awaits_approval = TRUE AND status IN ('pending', 'retrying', 'exception')"
ASSIGNED = "SELECT id FROM items WHERE assignee > ''"  # as the partial index items_by_assignee says it
# SQLite's planner would read every exception to test the column: name the index to it
AWAITING_FROM = {"sqlite": "items INDEXED BY items_awaiting_approval", "postgres": "items"}
Judge = Callable[[WorkItem], bool]  # whether an item waits for the approval of the filter's approver


def may_await_approval(item: WorkItem) -> bool:
    """The test of :data:`AWAITING` in Python: a waiting item whose Verdict holds it for a person
    (a route to approval, a possible duplicate) or that a person corrected."""
    verdict = item.payload.get("verdict")
    holds = verdict.get("holds") if isinstance(verdict, dict) else None
    corrections = item.payload.get("corrections")
    return item.status in WAITING and bool(
        isinstance(holds, list) and holds or isinstance(corrections, list) and corrections
    )


@dataclass(frozen=True)
class ItemFilter:
    """What the exception queue shows. Empty strings mean "any"."""

    status: str = "exception"
    bot: str = ""
    reason: str = ""  # a part of the error code or of the reason
    vendor: str = ""
    since: str = ""  # ISO dates, inclusive, on the day the item arrived (UTC)
    until: str = ""
    q: str = ""
    assignee: str = ""  # a person's name, or NOBODY: the items assigned to no one
    approver: str = ""  # a person's name: the items waiting for their approval (see Finder.find)
    sort: str = "newest"
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_query(cls, query: dict[str, str]) -> ItemFilter:
        """Read the query string, dropping what is not valid (a bad date, an unknown sort)."""
        known = {f.name for f in fields(cls)}
        data: dict[str, Any] = {k: v.strip() for k, v in query.items() if k in known}
        if data.get("status") not in {"", "all", *Status}:
            data["status"] = "exception"
        if data.get("status") == "all":
            data["status"] = ""
        for name in ("since", "until"):
            try:
                date.fromisoformat(data.get(name) or "1970-01-01")
            except ValueError:
                data[name] = ""
        if data.get("sort") not in SORTS:
            data.pop("sort", None)
        for name, default in (("page", 1), ("per_page", 50)):
            try:
                data[name] = max(int(data.get(name, default)), 1)
            except ValueError:
                data[name] = default
        if data["page"] > MAX_PAGE:
            raise BadQuery(f"page {data['page']} is out of range (at most {MAX_PAGE})")
        if data["per_page"] not in PER_PAGE:
            data["per_page"] = 50
        return cls(**data)

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter with ``changes`` (for links: next page, a sort)."""
        chosen = replace(self, **changes)
        out = {f.name: str(getattr(chosen, f.name)) for f in fields(self)}
        out["status"] = out["status"] or "all"
        return {k: v for k, v in out.items() if v != ""}

    def day_range(self) -> tuple[float | None, float | None]:
        since = until = None
        if self.since:
            since = datetime.combine(date.fromisoformat(self.since), time(), UTC).timestamp()
        if self.until:
            until = (datetime.combine(date.fromisoformat(self.until), time(), UTC) + timedelta(days=1)).timestamp()
        return since, until

    def matches(self, item: WorkItem) -> bool:
        """The same test in Python (what :class:`ScanFinder` uses)."""
        if self.status and item.status != self.status or self.bot and item.bot != self.bot:
            return False
        if self.reason and self.reason.lower() not in f"{item.error_code or ''} {item.reason or ''}".lower():
            return False
        if self.vendor and self.vendor.lower() not in (_path(item.payload, VENDOR) or "").lower():
            return False
        since, until = self.day_range()
        created = item.created_at.timestamp()
        if since is not None and created < since or until is not None and created >= until:
            return False
        if self.assignee and (item.payload.get("assignee") or "") != ("" if self.assignee == NOBODY else self.assignee):
            return False
        if self.approver and not may_await_approval(item):
            return False
        if self.q:
            texts = [item.source_key, *item.refs.values(), *(_path(item.payload, p) or "" for p in SEARCHED)]
            return self.q.lower() in " ".join(texts).lower()
        return True


def _like(text: str) -> str:
    """A LIKE pattern finding ``text`` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _path(payload: dict[str, Any], path: str) -> str | None:
    value: Any = payload
    for part in path.removeprefix("$.").split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return None if value is None else str(value)


@dataclass
class Page:
    items: list[WorkItem]
    total: int
    filter: ItemFilter

    @property
    def pages(self) -> int:
        return max((self.total + self.filter.per_page - 1) // self.filter.per_page, 1)


@dataclass
class Dashboard:
    counts: dict[str, dict[str, int]]
    done_today: int
    exceptions_today: int
    reasons: list[tuple[str, str, int]]  # (error code, an example reason, how many)
    oldest: list[WorkItem]
    overdue: list[WorkItem]

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts, "done_today": self.done_today, "exceptions_today": self.exceptions_today,
            "exceptions_by_reason": [{"code": c, "reason": r, "items": n} for c, r, n in self.reasons],
            "oldest_waiting": [summary(i) for i in self.oldest], "past_deadline": [summary(i) for i in self.overdue],
        }  # fmt: skip


def summary(item: WorkItem) -> dict[str, Any]:
    """The few things a list shows of an item (its JSON row)."""
    return {
        "id": item.id, "bot": item.bot, "status": item.status.value, "file": item.payload.get("file") or item.source_key,
        "vendor": _path(item.payload, VENDOR), "reason": item.reason, "error_code": item.error_code,
        "assignee": item.payload.get("assignee"), "attempts": item.attempts,
        "deadline": item.deadline.isoformat() if item.deadline else None,
        "created_at": item.created_at.isoformat(), "updated_at": item.updated_at.isoformat(),
    }  # fmt: skip


def midnight(now: float) -> float:
    return datetime.combine(datetime.fromtimestamp(now, UTC).date(), time(), UTC).timestamp()


class Finder(abc.ABC):
    """The UI's reader of one queue."""

    @abc.abstractmethod
    def find(self, wanted: ItemFilter, judge: Judge | None = None) -> Page:
        """The page of items ``wanted`` names, and how many there are in all. With an
        ``approver``, the queue finds the few items that may wait for an approval and ``judge``
        (the four-eyes rules, which the queue does not know) keeps those waiting for that person."""

    def count(self, wanted: ItemFilter, judge: Judge | None = None) -> int:
        """How many items ``wanted`` finds (its sort and page aside): the counts beside the views."""
        return self.find(replace(wanted, sort="newest", page=1, per_page=PER_PAGE[0]), judge).total

    @abc.abstractmethod
    def by_ids(self, ids: list[int]) -> list[WorkItem]:
        """The items of ``ids`` that exist, by id."""

    @abc.abstractmethod
    def dashboard(self, now: float) -> Dashboard:
        """The dashboard's figures at ``now``."""

    @abc.abstractmethod
    def bots(self) -> list[str]:
        """The bots that have items, by name."""

    def close(self) -> None:  # noqa: B027 - optional for finders with nothing to close
        pass


@dataclass(frozen=True)
class Dialect:
    """How one SQL backend says what :class:`SQLFinder` asks (the rest is written once)."""

    name: str  # the backend, for its named queries (queries/finder.NAME.sql)
    param: Callable[[str], str]  # a named parameter: :name or %(name)s
    like: str  # a case-insensitive LIKE
    collate: str  # text sorts by code point, as Python does
    row: Callable[[Sequence[Any]], WorkItem]  # a row of COLUMNS as an item
    vendor: str  # the ids whose vendor is LIKE :vendor (a subquery)
    texts: str  # whether the searched texts (SEARCHED, the source key and references) are LIKE :q
    exceptions_by: Callable[[str], str]  # the items table when listing exceptions sorted by a column


COLUMNS = (
    "id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, "
    "attempts, max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at"
)


class SQLFinder(Finder):
    """The queries of the finder on a SQL backend's connection (reads only)."""

    def __init__(self, conn: Any, dialect: Dialect, *, lock: Any = None, owns_connection: bool = True):
        self.conn, self.d, self.owns_connection = conn, dialect, owns_connection
        self._lock = lock or threading.Lock()
        self.q = queries.load("finder", dialect.name)

    def _rows(self, sql: str, args: dict[str, Any] | None = None) -> list[Any]:
        with self._lock:
            return self.conn.execute(sql, args or {}).fetchall()

    def _sort(self, name: str) -> str:
        """The ORDER BY of a sort: items without the value last, then by arrival. The values of
        the payload's fields are columns of their own (migrations: SQLite 7, PostgreSQL 6)."""
        c = self.d.collate
        return {  # newest/oldest: by arrival (ids grow as items arrive)
            "newest": "id DESC",
            "oldest": "id ASC",
            "updated": "updated_at DESC, id DESC",
            "deadline": "deadline IS NULL, deadline ASC, id ASC",
            "bot": f"bot{c} ASC, id DESC",
            "amount": "amount DESC NULLS LAST, id ASC",
            "document-date": f"doc_date{c} DESC NULLS LAST, id ASC",
            "number": f"doc_number{c} ASC NULLS LAST, id ASC",
            "attempts": "attempts DESC, id ASC",
            "assignee": f"assignee{c} ASC NULLS LAST, id ASC",
        }[name]

    def _where(self, wanted: ItemFilter) -> tuple[str, dict[str, Any]]:
        d, p = self.d, self.d.param
        clauses: list[str] = []
        args: dict[str, Any] = {}
        if wanted.status in {s.value for s in Status}:  # written out: a partial index may then serve
            clauses.append(f"status = '{wanted.status}'")
        elif wanted.status:
            clauses.append(f"status = {p('status')}")
            args["status"] = wanted.status
        if wanted.bot:
            clauses.append(f"bot = {p('bot')}")
            args["bot"] = wanted.bot
        if wanted.reason:
            clauses.append(
                f"(COALESCE(error_code, '') || ' ' || COALESCE(reason, '')) {d.like} {p('reason')} ESCAPE '\\'"
            )
            args["reason"] = _like(wanted.reason)
        # The assigned items are few and have an index of their own (migration 9): the views
        # "mine" and "unassigned" test ids against it, never an item's payload (from which
        # SQLite computes the column) or its row (which PostgreSQL would read for each).
        if wanted.assignee == NOBODY:
            clauses.append(f"id NOT IN ({ASSIGNED})")
        elif wanted.assignee:
            clauses.append(f"id IN ({ASSIGNED} AND assignee = {p('assignee')})")
            args["assignee"] = wanted.assignee
        if wanted.approver:
            clauses.append(AWAITING)
        if wanted.vendor:
            clauses.append(f"id IN ({d.vendor})")
            args["vendor"] = _like(wanted.vendor)
        since, until = wanted.day_range()
        if since is not None:
            clauses.append(f"created_at >= {p('since')}")
            args["since"] = since
        if until is not None:
            clauses.append(f"created_at < {p('until')}")
            args["until"] = until
        if wanted.q:  # one test of one column the backend keeps (its migration 10)
            clauses.append(d.texts)
            args["q"] = _like(wanted.q)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", args

    def find(self, wanted: ItemFilter, judge: Judge | None = None) -> Page:
        where, args = self._where(wanted)
        offset = (wanted.page - 1) * wanted.per_page
        order = self._sort(wanted.sort)
        if wanted.approver:  # the few candidates, judged whole
            table = AWAITING_FROM[self.d.name]
            ids = [r[0] for r in self._rows(f"SELECT id FROM {table} {where} ORDER BY {order}", args)]
            by_id = {item.id: item for item in self.by_ids(ids)}
            kept = [by_id[i] for i in ids if i in by_id and (judge is None or judge(by_id[i]))]
            return Page(kept[offset : offset + wanted.per_page], len(kept), wanted)
        if wanted.vendor or wanted.q or wanted.sort in BY_FIELD:
            # Text filters and the sorts by a field find the ids in order in one pass (from an
            # index, or reading payloads), which gives the total too; only the page's rows are
            # read whole (a sort carrying whole rows would read every candidate's payload).
            table = "items"
            if wanted.status == Status.EXCEPTION and wanted.sort in BY_FIELD:
                table = self.d.exceptions_by(BY_FIELD[wanted.sort])
            ids = [r[0] for r in self._rows(f"SELECT id FROM {table} {where} ORDER BY {order}", args)]
            chosen = ids[offset : offset + wanted.per_page]
            by_id = {item.id: item for item in self.by_ids(chosen)}
            return Page([by_id[i] for i in chosen if i in by_id], len(ids), wanted)
        total = self._rows(f"SELECT COUNT(*) FROM items {where}", args)[0][0]
        p = self.d.param
        rows = self._rows(
            f"SELECT {COLUMNS} FROM items {where} ORDER BY {order} LIMIT {p('limit')} OFFSET {p('offset')}",
            {**args, "limit": wanted.per_page, "offset": offset},
        )
        return Page([self.d.row(r) for r in rows], total, wanted)

    def count(self, wanted: ItemFilter, judge: Judge | None = None) -> int:
        if wanted.approver:  # judged in Python
            return super().count(wanted, judge)
        where, args = self._where(wanted)
        return int(self._rows(f"SELECT COUNT(*) FROM items {where}", args)[0][0])

    def by_ids(self, ids: list[int]) -> list[WorkItem]:
        found: list[WorkItem] = []
        for start in range(0, len(ids), 500):  # a statement's parameters are limited
            wanted = {f"i{n}": item_id for n, item_id in enumerate(ids[start : start + 500])}
            listed = ", ".join(self.d.param(name) for name in wanted)
            rows = self._rows(f"SELECT {COLUMNS} FROM items WHERE id IN ({listed}) ORDER BY id", wanted)
            found += [self.d.row(r) for r in rows]
        return sorted(found, key=lambda item: item.id)

    def dashboard(self, now: float) -> Dashboard:
        counts: dict[str, dict[str, int]] = {}
        for bot, status, n in self._rows(self.q["counts"]):
            counts.setdefault(bot, {})[status] = n
        today = midnight(now)
        done, raised = self._rows(self.q["today"], {"since": today, "until": today + DAY})[0]
        reasons = [(code, reason or "", n) for code, reason, n in self._rows(self.q["reasons"])]
        oldest = self._rows(self.q["oldest_waiting"])
        overdue = self._rows(self.q["past_deadline"], {"now": now})
        return Dashboard(counts, done or 0, raised or 0, reasons,
                         [self.d.row(r) for r in oldest], [self.d.row(r) for r in overdue])  # fmt: skip

    def bots(self) -> list[str]:
        return [r[0] for r in self._rows(self.q["bots"])]

    def close(self) -> None:
        if self.owns_connection:
            with self._lock:
                self.conn.close()


class ScanFinder(Finder):
    """Any Store: pages through ``Store.list`` (newest first) and filters in Python."""

    BATCH = 1000

    def __init__(self, store: Store):
        self.store = store

    def _all(self, status: str = "", bot: str = "") -> list[WorkItem]:
        found, offset = [], 0
        while batch := self.store.list(status=Status(status) if status else None, bot=bot or None,
                                       limit=self.BATCH, offset=offset):  # fmt: skip
            found += batch
            offset += len(batch)
        return found

    def find(self, wanted: ItemFilter, judge: Judge | None = None) -> Page:
        hits = [i for i in self._all(wanted.status, wanted.bot) if wanted.matches(i)]
        if wanted.approver and judge is not None:
            hits = [i for i in hits if judge(i)]
        keys = {
            "newest": lambda i: -i.id, "oldest": lambda i: i.id, "updated": lambda i: (-i.updated_at.timestamp(), -i.id),
            "deadline": lambda i: (i.deadline is None, i.deadline.timestamp() if i.deadline else 0, i.id),
            "bot": lambda i: (i.bot, -i.id),
            "amount": lambda i: _last(_amount(_path(i.payload, AMOUNT)), i.id, descending=True),
            "document-date": lambda i: _last(_path(i.payload, DOC_DATE), i.id, descending=True),
            "number": lambda i: _last(_path(i.payload, NUMBER), i.id),
            "attempts": lambda i: (-i.attempts, i.id),
            "assignee": lambda i: _last(_path(i.payload, ASSIGNEE), i.id),
        }  # fmt: skip
        hits.sort(key=keys[wanted.sort])
        start = (wanted.page - 1) * wanted.per_page
        return Page(hits[start : start + wanted.per_page], len(hits), wanted)

    def by_ids(self, ids: list[int]) -> list[WorkItem]:
        found = []
        for item_id in sorted(set(ids)):
            try:
                found.append(self.store.get(item_id))
            except Exception:  # noqa: BLE001 - an unknown id is simply not listed
                continue
        return found

    def dashboard(self, now: float) -> Dashboard:
        items = self._all()
        today = midnight(now)
        done = raised = 0
        for item in items:
            for entry in self.store.journal(item.id):
                if today <= entry.at.timestamp() < today + DAY:
                    done += entry.to_status == Status.DONE
                    raised += entry.to_status == Status.EXCEPTION
        exceptions = [i for i in items if i.status == Status.EXCEPTION]
        by_code = Counter(i.error_code or "" for i in exceptions)
        example: dict[str, str] = {}
        for item in exceptions:
            code = item.error_code or ""
            if code not in example or (item.reason or "") < example[code]:
                example[code] = item.reason or ""
        reasons = sorted(((c, example[c], n) for c, n in by_code.items()), key=lambda r: (-r[2], r[0]))[:10]
        waiting = sorted((i for i in items if i.status in WAITING), key=lambda i: (i.created_at, i.id))[:10]
        overdue = sorted(
            (
                i
                for i in items
                if i.deadline and i.deadline.timestamp() < now and i.status in (*WAITING, Status.PROCESSING)
            ),
            key=lambda i: (i.deadline, i.id),
        )[:10]
        return Dashboard(self.store.counts(), done, raised, reasons, waiting, overdue)

    def bots(self) -> list[str]:
        return sorted(self.store.counts())


def _amount(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _last(value: Any, item_id: int, *, descending: bool = False) -> tuple[Any, ...]:
    """A sort key as :func:`_by` orders: without a value last, then the value, then by arrival."""
    if value is None:
        return (1, 0, item_id)
    if descending:  # numbers negate; text sorts on the negated code points
        value = -value if isinstance(value, float) else (*(-ord(c) for c in str(value)), 1)  # 1: a prefix sorts after
    return (0, value, item_id)


__all__ = [
    "NOBODY", "PER_PAGE", "Judge", "SORTS", "BadQuery", "Dashboard", "Dialect", "Finder", "ItemFilter", "Page", "SQLFinder", "ScanFinder",
    "summary",
]  # fmt: skip
