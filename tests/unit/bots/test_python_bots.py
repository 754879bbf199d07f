"""Python bots (backoffice.api) in the runner, on a real SQLite queue (and PostgreSQL where the
queue's contract matters: hand-over, roll-up, ledger): errors, retries, posting, hand-over."""

from __future__ import annotations

import random
import shutil
import time
import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from backoffice.bots import Runner, python
from backoffice.config import load_config
from backoffice.demo.invoices import generate
from backoffice.errors import ConfigError
from backoffice.queue.base import NewItem, Status
from backoffice.queue.postgres import PostgresStore
from backoffice.queue.sqlite import SQLiteStore
from tests import pgdb
from tests.fakes import RecordingTarget, invoice

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.integration)]


class Clock:
    """The queue's clock: real time, which a test moves forward to when an item is due."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def to(self, moment: datetime | None) -> None:
        assert moment is not None
        self.offset = moment.timestamp() + 1 - time.time()


@pytest.fixture(autouse=True)
def _reset_recorder():
    RecordingTarget.posts = []
    RecordingTarget.lookups = []


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sqlite(tmp_path, clock):
    store = SQLiteStore(tmp_path / "queue.db", clock=clock)
    yield store
    store.close()


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, clock):
    if request.param == "sqlite":
        backend = SQLiteStore(tmp_path / "queue.db", clock=clock)
        yield backend
        backend.close()
        return
    if not pgdb.available():
        pytest.fail("PostgreSQL is not listening on 127.0.0.1:5432")
    with pgdb.scratch_database("backoffice_pybots") as url:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        backend = PostgresStore(url, schema=schema, clock=clock)
        yield backend
        backend.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def runner_for(deployment, store, bots: str, *, runner: str = "") -> Runner:
    path = deployment(f"""
        workspace: work
        {runner}
        bots:
        {bots}
        """)  # fmt: skip
    return Runner(load_config(path), store, owner="test-runner", rng=random.Random(1))


CHECK = """
          - name: checks
            kind: python
            handler: tests.python_bots:check_invoice
            settings: {target: erp, max_total: 1000}
            source: {kind: folder, path: inbox, create: true, settle_seconds: 0}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
            retry: {max_attempts: 2, backoff_seconds: 10, jitter: 0}
"""


def queue(store, bot: str = "checks", key: str = "doc-1", **values) -> int:
    item, _ = store.enqueue(NewItem(bot, key, payload={"file": f"{key}.pdf", "document": invoice(**values).to_dict()},
                                    max_attempts=2))  # fmt: skip
    return item.id


# -- errors ----------------------------------------------------------------------------------
def test_business_error_goes_to_the_exception_queue_with_its_reason_and_field(deployment, sqlite):
    runner = runner_for(deployment, sqlite, CHECK)
    queue(sqlite, grand_total="20000.00")
    item = runner.process_next()
    assert item.status == Status.EXCEPTION
    assert item.reason == "doc-1.pdf: total 20000.00 is over 1000"
    assert item.error_code == "business"
    assert item.payload[python.ERROR_FIELD] == "grand_total"
    assert item.attempts == 1 and RecordingTarget.posts == []
    assert sqlite.effects(item.id) == []


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_a_good_document_is_posted_once_and_the_payload_shows_what_was_sent(deployment, store):
    runner = runner_for(deployment, store, CHECK)
    item_id = queue(store)
    item = runner.process_next()
    assert item.status == Status.DONE
    assert RecordingTarget.posts == [("erp", item_id)]
    assert item.refs == {"erp": f"erp-{item_id}"}
    assert item.payload["posted"]["erp"] == {
        "kind": "data", "fields": {"number": "INV-1", "total": "119.00", "due": "2026-02-09"}}  # fmt: skip
    assert item.payload["saved"] == {"checked_total": "119.00"}
    assert python.HANDLED not in item.payload  # nothing to wait for: done at once
    assert [e.state.value for e in store.effects(item_id)] == ["done"]
    assert runner.process_next() is None and RecordingTarget.posts == [("erp", item_id)]


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_an_exception_is_retried_with_backoff_then_goes_to_the_exception_queue(deployment, store, clock):
    runner = runner_for(deployment, store, """
          - name: erp
            kind: python
            handler: tests.python_bots:erp_down
            source: {kind: folder, path: inbox, create: true}
            retry: {max_attempts: 2, backoff_seconds: 10, jitter: 0}
        """)  # fmt: skip
    item_id = queue(store, bot="erp")
    first = runner.process_next()
    assert first.status == Status.RETRYING
    assert first.reason == "ConnectionError: ERP refused the connection" and first.error_code == "unexpected"
    assert 9.0 < (first.not_before - first.updated_at).total_seconds() <= 10.5  # backoff_seconds, no jitter
    assert runner.process_next() is None  # not due yet
    clock.to(first.not_before)
    final = runner.process_next()
    assert final.status == Status.EXCEPTION
    assert final.reason == "retries used up (2 attempts): ConnectionError: ERP refused the connection"
    assert [e.why for e in store.journal(item_id) if e.action == "note"] == ["calling the ERP"] * 2


def test_application_error_keeps_its_code(deployment, sqlite):
    runner = runner_for(deployment, sqlite, """
          - name: erp
            kind: python
            handler: tests.python_bots:application_error
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    queue(sqlite, bot="erp")
    item = runner.process_next()
    assert (item.status, item.reason, item.error_code) == (Status.RETRYING, "ERP answered 503", "erp-503")


def test_a_retry_reads_no_file_again_and_posts_no_twice(deployment, sqlite, clock, tmp_path, monkeypatch):
    runner = runner_for(deployment, sqlite, CHECK.replace(
        'name: erp}]', 'name: erp, fail_with: target, fail_times: 1}]').replace("max_total: 1000", "max_total: 100000"))  # fmt: skip
    generated = [g for g in generate(tmp_path / "work" / "inbox", count=4, seed=3) if not g.mistake][0]
    for other in (tmp_path / "work" / "inbox").glob("*.pdf"):
        if other != generated.path:
            other.unlink()
    reads = []
    real = python.stages.read_file
    monkeypatch.setattr(python.stages, "read_file", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    assert runner.collect() == 1
    first = runner.process_next()
    assert first.status == Status.RETRYING and first.reason == "ERP answered 503"
    assert first.payload["document"]["kind"] == "invoice" and first.payload["read_as"] == "invoice"
    clock.to(first.not_before)
    done = runner.process_next()
    assert done.status == Status.DONE
    assert reads == [generated.path.name]  # read once, kept in the payload
    assert RecordingTarget.posts == [("erp", done.id)]
    assert done.payload["posted"]["erp"]["fields"]["number"] == generated.expected["invoice_number"]


# -- hand-over and roll-up -------------------------------------------------------------------
HAND = """
          - name: intake
            kind: python
            handler: tests.python_bots:hand_over
            settings: {to: sink}
            source: {kind: folder, path: inbox, create: true}
          - name: sink
            source: {kind: folder, path: sink-inbox, create: true}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
"""


@pytest.mark.parametrize("store", BACKENDS, indirect=True)
def test_hand_over_to_another_bot_and_the_parent_waits_for_its_children(deployment, store, clock, tmp_path):
    runner = runner_for(deployment, store, HAND)
    pdf = generate(tmp_path / "made", count=1, seed=3)[0].path
    stored = runner.files.put_file(pdf)
    parent, _ = store.enqueue(NewItem("intake", "mail-1", payload={"file": pdf.name}, files=(stored,)))

    waiting = runner.process_next()
    assert waiting.id == parent.id and waiting.status == Status.PENDING  # released, waiting for its children
    children = waiting.payload["children"]
    assert len(children) == 2 and waiting.payload[python.HANDLED] is True
    first, second = (store.get(c) for c in children)
    assert (first.bot, first.parent_id, first.files, first.payload["file"]) == ("sink", parent.id, (stored,), pdf.name)
    assert first.payload["handed_by"] == {"bot": "intake", "item": parent.id}
    assert (second.bot, second.parent_id, second.payload["file"]) == ("sink", parent.id, "note.txt")
    notes = [e.why for e in store.journal(parent.id) if e.action == "hand-over"]
    assert notes == [f"{pdf.name} to sink as item {first.id}", f"note.txt to sink as item {second.id}"]
    assert [e.why for e in store.journal(first.id) if e.action == "handed-over"] == [f"from intake, item {parent.id}"]

    # handing over again (a retry of the handler) makes no second child
    again = python.RunnerItem(runner, runner.bots["intake"], store.get(parent.id))
    assert again.hand_to("sink") == first.id

    one = runner.process_next()
    assert (one.id, one.status) == (first.id, Status.DONE)
    assert store.get(parent.id).not_before > datetime.now(UTC)  # one child open: the parent still waits
    two = runner.process_next()
    assert (two.id, two.status) == (second.id, Status.DONE)
    woken = store.get(parent.id)  # its last child done: the parent is due now, not at its next look
    assert woken.status == Status.PENDING and store.journal(parent.id)[-1].action == "due-now"
    assert store.journal(parent.id)[-1].why == f"item {second.id}, the last it waited for, is finished"
    finished = runner.process_next()
    assert finished.id == parent.id and finished.status == Status.DONE
    assert sorted(RecordingTarget.posts) == [("erp", first.id), ("erp", second.id)]  # the parent posted nothing


def test_a_parent_waits_while_a_child_is_in_the_exception_queue(deployment, sqlite, clock, tmp_path):
    runner = runner_for(
        deployment, sqlite, HAND.replace("name: erp}]", "name: erp, fail_with: business, fail_times: 9}]")
    )
    pdf = generate(tmp_path / "made", count=1, seed=3)[0].path
    parent, _ = sqlite.enqueue(
        NewItem("intake", "mail-1", payload={"file": pdf.name}, files=(runner.files.put_file(pdf),))
    )
    runner.process_next()
    children = [runner.process_next() for _ in range(2)]
    assert {c.status for c in children} == {Status.EXCEPTION}
    clock.to(sqlite.get(parent.id).not_before)
    still = runner.process_next()
    assert still.id == parent.id and still.status == Status.PENDING
    assert (
        sqlite.journal(parent.id)[-1].why == f"waiting for 2 of 2 document(s): items {children[0].id}, {children[1].id}"
    )


def test_hand_over_without_waiting_finishes_the_parent_at_once(deployment, sqlite, tmp_path):
    runner = runner_for(deployment, sqlite, HAND.replace("settings: {to: sink}", "settings: {to: sink, wait: false}"))
    pdf = generate(tmp_path / "made", count=1, seed=3)[0].path
    sqlite.enqueue(NewItem("intake", "mail-1", payload={"file": pdf.name}, files=(runner.files.put_file(pdf),)))
    parent = runner.process_next()
    assert parent.status == Status.DONE and "children" not in parent.payload
    assert [sqlite.get(i).parent_id for i in parent.payload["handed"]] == [parent.id, parent.id]


# -- routing by kind -------------------------------------------------------------------------
ROUTER = """
          - name: mailroom
            kind: python
            handler: backoffice.bots.router:by_kind
            settings: {routes: {invoice: invoices, credit_note: invoices, timesheet: payroll}}
            source: {kind: folder, path: mailroom, create: true, settle_seconds: 0, patterns: ["*"]}
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            targets: [{kind: "tests.fakes:RecordingTarget", name: ledger}]
          - name: payroll
            source: {kind: folder, path: payroll-inbox, create: true}
            extractor: timesheet
            targets: [{kind: "tests.fakes:RecordingTarget", name: payroll}]
"""


def test_the_router_hands_each_document_to_the_bot_of_its_kind(deployment, sqlite, clock, tmp_path):
    from backoffice.demo import orders, timesheets

    runner = runner_for(deployment, sqlite, ROUTER)
    mailroom = tmp_path / "work" / "mailroom"
    bill = [g for g in generate(mailroom, count=4, seed=3) if not g.mistake][0].path
    for other in mailroom.glob("*.pdf"):
        if other != bill:
            other.unlink()
    sheet = [t.path for t in timesheets.generate(tmp_path / "made") if t.path.suffix == ".pdf"][0]
    order = [o.path for o in orders.generate(tmp_path / "made") if o.path.suffix == ".pdf"][0]
    shutil.copy(sheet, mailroom / sheet.name)
    shutil.copy(order, mailroom / order.name)
    (mailroom / "holiday-photo.txt").write_text("Greetings from the seaside!\n", encoding="utf-8")
    assert runner.collect() == 4

    summary = runner.run_once()  # one run: a parent is due again as soon as what it handed over is done
    assert summary.outcomes == {"done": 4, "exception": 2, "pending": 2}  # 2 parents waited, then finished

    by_file = {i.payload["file"]: i for i in sqlite.list(bot="mailroom", limit=10)}
    assert by_file[bill.name].status == Status.DONE and by_file[sheet.name].status == Status.DONE
    (invoice_child,) = sqlite.list(bot="invoices", limit=10)
    (sheet_child,) = sqlite.list(bot="payroll", limit=10)
    assert (invoice_child.parent_id, invoice_child.payload["file"]) == (by_file[bill.name].id, bill.name)
    assert (sheet_child.parent_id, sheet_child.payload["file"]) == (by_file[sheet.name].id, sheet.name)
    assert invoice_child.status == Status.DONE and sheet_child.status == Status.DONE
    assert sheet_child.payload["document"]["kind"] == "timesheet"  # handed with it: not read again
    assert sorted(RecordingTarget.posts) == sorted([("ledger", invoice_child.id), ("payroll", sheet_child.id)])

    unrouted = by_file[order.name]
    assert unrouted.status == Status.EXCEPTION and unrouted.error_code == "no-route"
    assert (
        unrouted.reason
        == f"{order.name}: a document of kind order, which no bot takes (routes: invoice, credit_note, timesheet)"
    )
    assert unrouted.payload[python.ERROR_FIELD] == "kind"
    unknown = by_file["holiday-photo.txt"]
    assert unknown.status == Status.EXCEPTION and unknown.reason.startswith("holiday-photo.txt: ")


# -- settings and configuration --------------------------------------------------------------
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "handler: tests.python_bots:check_invoice\n    settings: {target: erp, max_total: -1}",
            "bots.yaml:5: bots[0].settings: bot checks: max_total: Input should be greater than 0",
        ),
        (
            "handler: tests.python_bots:check_invoice\n    settings: {max_total: 5, colour: red}",
            "bots[0].settings: bot checks: target: Field required; colour: Extra inputs are not permitted",
        ),
        (
            "handler: tests.python_bots:not_a_handler",
            "bots[0].handler: handler 'tests.python_bots:not_a_handler': not_a_handler is not a bot handler",
        ),
        ("handler: tests.python_bots:nothing_here", "tests.python_bots has no nothing_here"),
        ("handler: no_such_package.bots:x", "cannot import no_such_package.bots: ModuleNotFoundError"),
        ("handler: tests.python_bots", "handler 'tests.python_bots': write package.module:function"),
        ("handler: tests.python_bots:erp_down\n    settings: {a: 1}", "takes no settings"),
        ("settings: {a: 1}", "kind: python needs a handler"),
    ],
)
def test_settings_and_handler_errors_name_the_bot_and_field(deployment, entry, message):
    path = deployment(f"""
        bots:
          - name: checks
            kind: python
            {entry}
            source: {{kind: folder, path: inbox, create: true}}
        """.replace("\n    settings", "\n            settings"))  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)


def test_handler_and_rules_belong_to_their_kind_of_bot(deployment):
    path = deployment("""
        bots:
          - name: pipeline
            handler: tests.python_bots:erp_down
            source: {kind: folder, path: inbox, create: true}
          - name: python
            kind: python
            handler: tests.python_bots:erp_down
            rules: rules/invoice.yaml
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "bots[0]: handler and settings belong to a bot of kind: python" in str(caught.value)
    assert "bots[1]: rules: a python bot applies no rule file" in str(caught.value)


def test_a_handler_module_beside_bots_yaml_is_found(deployment, tmp_path):
    (tmp_path / "my_bots.py").write_text(
        "from backoffice.api import Item, bot\n\n@bot\ndef mine(item: Item) -> None:\n    item.note('mine')\n"
    )
    path = deployment("""
        bots:
          - name: mine
            kind: python
            handler: my_bots:mine
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    assert load_config(path).bot("mine").handler == "my_bots:mine"


# -- worker processes ------------------------------------------------------------------------
def test_python_bots_run_in_worker_processes(deployment, tmp_path):
    path = deployment(f"""
        workspace: work
        runner: {{workers: 2}}
        bots:
        {CHECK.replace("max_total: 1000", "max_total: 100000").replace(
            '{kind: "tests.fakes:RecordingTarget", name: erp}', '{kind: files, name: erp, path: out/posted.csv}')}
        """)  # fmt: skip
    generated = generate(tmp_path / "work" / "inbox", count=6, seed=3)
    config = load_config(path)
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store)
    try:
        assert runner.workers is not None
        runner.run_once()
    finally:
        runner.close()
    items = store.list(bot="checks", limit=100)
    assert len(items) == len(generated)
    done = [i for i in items if i.status == Status.DONE]
    assert done and all(i.payload["read_as"] == "invoice" and "erp" in i.refs for i in done)
    assert {i.payload["file"] for i in items if i.status == Status.EXCEPTION} <= {
        g.path.name for g in generated if g.mistake
    }
    rows = (tmp_path / "work" / "out" / "posted.csv").read_text().splitlines()
    assert len(rows) == len(done) + 1  # a header and one row per posted item
    store.close()
