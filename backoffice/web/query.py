"""Reading the queue the way supervisors look at it: filtered, searched, sorted and paged
lists, and the dashboard's figures.

The Store contract lists by status and bot only; the exception queue also filters by reason,
error code, vendor, date and free text. :class:`SQLiteFinder` asks the queue's SQLite file
directly (read-only); :class:`ScanFinder` pages through ``Store.list`` and filters in Python,
for any other backend. Both answer the same :class:`ItemFilter` the same way.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from backoffice.queue.base import Status, Store, WorkItem
from backoffice.queue.sqlite import COLUMNS, _row_to_item

AMOUNT, NUMBER, DOC_DATE = ("$.document.fields.grand_total.value", "$.document.fields.invoice_number.value",
                            "$.document.fields.issue_date.value")


def _by(expression: str, direction: str) -> str:
    """Items without the value last, then by arrival."""
    return f"{expression} IS NULL, {expression} {direction}, id ASC"


SORTS = {  # newest/oldest: by arrival (ids grow as items arrive)
    "newest": "id DESC",
    "oldest": "id ASC",
    "updated": "updated_at DESC, id DESC",
    "deadline": "deadline IS NULL, deadline ASC, id ASC",
    "bot": "bot ASC, id DESC",
    "amount": _by(f"CAST(json_extract(payload, '{AMOUNT}') AS REAL)", "DESC"),
    "document-date": _by(f"json_extract(payload, '{DOC_DATE}')", "DESC"),
    "number": _by(f"json_extract(payload, '{NUMBER}')", "ASC"),
    "attempts": "attempts DESC, id ASC",
    "assignee": _by("json_extract(payload, '$.assignee')", "ASC"),
}
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
        if self.q:
            texts = [item.source_key, *item.refs.values(), *(_path(item.payload, p) or "" for p in SEARCHED)]
            return self.q.lower() in " ".join(texts).lower()
        return True


def _like(text: str, *, raw: bool = False) -> str:
    """A LIKE pattern finding ``text`` anywhere; ``raw`` for the payload's JSON text, where
    quotes and backslashes are escaped (and non-ASCII is kept as it is)."""
    if raw:
        text = json.dumps(text, ensure_ascii=False)[1:-1]
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


class Finder:
    def find(self, wanted: ItemFilter) -> Page:
        raise NotImplementedError

    def by_ids(self, ids: list[int]) -> list[WorkItem]:
        raise NotImplementedError

    def dashboard(self, now: float) -> Dashboard:
        raise NotImplementedError

    def bots(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SQLiteFinder(Finder):
    """Queries on the queue's SQLite file, through a read-only connection of its own."""

    def __init__(self, path: Path | str):
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=30)

    def _rows(self, sql: str, args: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, tuple(args)).fetchall()

    def _where(self, wanted: ItemFilter) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if wanted.status:
            clauses.append("status = ?")
            args.append(wanted.status)
        if wanted.bot:
            clauses.append("bot = ?")
            args.append(wanted.bot)
        if wanted.reason:
            clauses.append("(COALESCE(error_code, '') || ' ' || COALESCE(reason, '')) LIKE ? ESCAPE '\\'")
            args.append(_like(wanted.reason))
        if wanted.vendor:
            # The raw payload is tested first: most rows do not hold the text at all and need
            # no JSON parsing (LIKE ignores ASCII case, as the precise test does).
            clauses.append(f"payload LIKE ? ESCAPE '\\' AND json_extract(payload, '{VENDOR}') LIKE ? ESCAPE '\\'")
            args += [_like(wanted.vendor, raw=True), _like(wanted.vendor)]
        since, until = wanted.day_range()
        if since is not None:
            clauses.append("created_at >= ?")
            args.append(since)
        if until is not None:
            clauses.append("created_at < ?")
            args.append(until)
        if wanted.q:
            texts = " || ' ' || ".join(f"COALESCE(json_extract(payload, '{p}'), '')" for p in SEARCHED)
            clauses.append(f"(source_key LIKE ? ESCAPE '\\' OR refs LIKE ? ESCAPE '\\' OR "
                           f"(payload LIKE ? ESCAPE '\\' AND ({texts}) LIKE ? ESCAPE '\\'))")
            args += [_like(wanted.q), _like(wanted.q), _like(wanted.q, raw=True), _like(wanted.q)]
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", args

    def find(self, wanted: ItemFilter) -> Page:
        where, args = self._where(wanted)
        offset = (wanted.page - 1) * wanted.per_page
        if wanted.vendor or wanted.q:
            # Text filters read every candidate's payload: one pass finds the ids in order,
            # which gives the total too, then only the page's rows are read whole.
            ids = [r[0] for r in self._rows(f"SELECT id FROM items {where} ORDER BY {SORTS[wanted.sort]}", args)]
            chosen = ids[offset : offset + wanted.per_page]
            by_id = {item.id: item for item in self.by_ids(chosen)}
            return Page([by_id[i] for i in chosen if i in by_id], len(ids), wanted)
        total = self._rows(f"SELECT COUNT(*) FROM items {where}", args)[0][0]
        rows = self._rows(
            f"SELECT {COLUMNS} FROM items {where} ORDER BY {SORTS[wanted.sort]} LIMIT ? OFFSET ?",
            [*args, wanted.per_page, offset],
        )
        return Page([_row_to_item(r) for r in rows], total, wanted)

    def by_ids(self, ids: list[int]) -> list[WorkItem]:
        if not ids:
            return []
        rows = self._rows(f"SELECT {COLUMNS} FROM items WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id", ids)
        return [_row_to_item(r) for r in rows]

    def dashboard(self, now: float) -> Dashboard:
        counts: dict[str, dict[str, int]] = {}
        for bot, status, n in self._rows("SELECT bot, status, COUNT(*) FROM items GROUP BY bot, status"):
            counts.setdefault(bot, {})[status] = n
        today = midnight(now)
        done, raised = self._rows(
            "SELECT SUM(to_status = 'done'), SUM(to_status = 'exception') FROM journal WHERE at >= ? AND at < ? "
            "AND to_status IN ('done', 'exception')",
            (today, today + DAY),
        )[0]
        reasons = [
            (code or "", reason or "", n)
            for code, reason, n in self._rows(
                "SELECT error_code, MIN(reason), COUNT(*) AS n FROM items WHERE status = 'exception' "
                "GROUP BY error_code ORDER BY n DESC, error_code LIMIT 10"
            )
        ]
        waiting = ", ".join(f"'{s.value}'" for s in WAITING)
        oldest = self._rows(f"SELECT {COLUMNS} FROM items WHERE status IN ({waiting}) ORDER BY id LIMIT 10")
        overdue = self._rows(
            f"SELECT {COLUMNS} FROM items WHERE deadline < ? AND status IN ({waiting}, 'processing') "
            "ORDER BY deadline, id LIMIT 10",
            (now,),
        )
        return Dashboard(counts, done or 0, raised or 0, reasons,
                         [_row_to_item(r) for r in oldest], [_row_to_item(r) for r in overdue])  # fmt: skip

    def bots(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT DISTINCT bot FROM items ORDER BY bot")]

    def close(self) -> None:
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

    def find(self, wanted: ItemFilter) -> Page:
        hits = [i for i in self._all(wanted.status, wanted.bot) if wanted.matches(i)]
        keys = {
            "newest": lambda i: -i.id, "oldest": lambda i: i.id, "updated": lambda i: (-i.updated_at.timestamp(), -i.id),
            "deadline": lambda i: (i.deadline is None, i.deadline.timestamp() if i.deadline else 0, i.id),
            "bot": lambda i: (i.bot, -i.id),
            "amount": lambda i: _last(_amount(_path(i.payload, AMOUNT)), i.id, descending=True),
            "document-date": lambda i: _last(_path(i.payload, DOC_DATE), i.id, descending=True),
            "number": lambda i: _last(_path(i.payload, NUMBER), i.id),
            "attempts": lambda i: (-i.attempts, i.id),
            "assignee": lambda i: _last(i.payload.get("assignee"), i.id),
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
        example = {}
        for item in exceptions:
            code = item.error_code or ""
            if code not in example or (item.reason or "") < example[code]:
                example[code] = item.reason or ""
        reasons = sorted(((c, example[c], n) for c, n in by_code.items()), key=lambda r: (-r[2], r[0]))[:10]
        waiting = sorted((i for i in items if i.status in WAITING), key=lambda i: (i.created_at, i.id))[:10]
        overdue = sorted(
            (i for i in items if i.deadline and i.deadline.timestamp() < now and i.status not in (Status.DONE, Status.CANCELLED)),
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


def open_finder(store: Store) -> Finder:
    path = getattr(store, "path", None)
    if type(store).__name__ == "SQLiteStore" and path and path != ":memory:":
        return SQLiteFinder(path)
    return ScanFinder(store)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
