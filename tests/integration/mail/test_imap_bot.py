"""An invoice bot on a real Dovecot mailbox, through the real runner: exactly once, whatever happens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient

from backoffice.bots import Runner
from backoffice.config import load_config
from backoffice.connectors.imap import ImapSource
from backoffice.mail.mailbox import MailboxDown
from backoffice.queue.base import Status
from backoffice.queue.sqlite import SQLiteStore
from tests.conftest import ROOT
from tests.procs import alive, children_of

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def invoices(tmp_path_factory):
    from backoffice.demo.invoices import generate

    return [g for g in generate(tmp_path_factory.mktemp("pdfs"), count=16, seed=5) if not g.mistake]


def mail(n: int, *attachments: Path, body: str = "Invoice attached.") -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "billing@vendor.example", "alice@example"
    message["Subject"], message["Message-ID"] = f"Invoice {n}", f"<bot-{n}-{time.time_ns()}@vendor.example>"
    message.set_content(body)
    for path in attachments:
        message.add_attachment(path.read_bytes(), maintype="application", subtype="pdf", filename=path.name)
    return message.as_bytes()


@pytest.fixture
def mailbox(dovecot):
    """alice's mailbox, emptied: a raw client for the test's own appends and checks."""
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login("alice", "wonderland")
    for folder in ("INBOX", "Processed", "Failed"):
        client.select_folder(folder)
        if uids := client.search():
            client.delete_messages(uids)
            client.expunge()
    yield client
    client.logout()


def count(client: IMAPClient, folder: str) -> int:
    client.select_folder(folder)
    return len(client.search())


@pytest.fixture
def deployment(tmp_path, dovecot, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wonderland")

    def write(action: str = "move", extra: str = "") -> Path:
        config = tmp_path / "bots.yaml"
        config.write_text(textwrap.dedent(f"""
            workspace: work
            runner: {{lease_seconds: 5, poll_seconds: 0.3}}
            bots:
              - name: mailbox
                source:
                  kind: {extra or "imap"}
                  host: 127.0.0.1
                  port: {dovecot.tls_port}
                  ca_file: {dovecot.cert}
                  username: alice
                  password: "${{TEST_IMAP_PASSWORD}}"
                  action: {action}
                extractor: invoice
                targets: [{{kind: files, path: out/invoices.jsonl}}]
                retry: {{max_attempts: 20, backoff_seconds: 0.2, max_backoff_seconds: 1}}
        """))  # fmt: skip
        return config

    return write


def posted(workspace: Path) -> list[str]:
    path = workspace / "out" / "invoices.jsonl"
    return [json.loads(line)["source"] for line in path.read_text().splitlines()] if path.exists() else []


def finish(config: Path, seconds_ahead: float = 700) -> SQLiteStore:
    """Process what is due with a clock past every postponement (a mail waits for its documents).
    Bounded: a mail still waiting on a person's item is due again at once under this clock."""
    store = SQLiteStore(config.parent / "work" / "queue.db", clock=lambda: time.time() + seconds_ahead)
    runner = Runner(load_config(config), store)
    runner.collect()
    for _ in range(50):
        if runner.process_next() is None:
            break
    runner.close()
    return store


def test_mails_become_items_documents_are_posted_and_the_mail_moves(deployment, mailbox, invoices):
    config = deployment()
    mailbox.append("INBOX", mail(1, invoices[0].path, invoices[1].path))
    mailbox.append("INBOX", mail(2, invoices[2].path))
    summary = Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()
    assert summary.collected == 5  # 2 mails + 3 documents
    assert (count(mailbox, "INBOX"), count(mailbox, "Processed")) == (0, 2)
    assert sorted(posted(config.parent / "work")) == sorted(i.path.name for i in invoices[:3])
    store = SQLiteStore(config.parent / "work" / "queue.db")
    items = store.list()
    assert {i.status for i in items} == {Status.DONE}  # a mail is done in the run that finished its documents
    parents = [i for i in items if i.parent_id is None]
    assert len(parents) == 2 and all(len(p.payload["children"]) in (1, 2) for p in parents)
    for parent in parents:  # journaled once, by intake (with the next commit), not again by the parent
        journal = store.journal(parent.id)
        assert [e.why for e in journal if e.action == "mailbox-done"] == ["moved to Processed"]
        # it waited while a document was open (released), and was made due by the last one done
        assert [e.action for e in journal if e.action in ("release", "due-now")][-1] == "due-now"


def test_many_fetches_each_committed_then_moved(deployment, mailbox, invoices):
    config = deployment(extra="imap\n                  batch: 2")
    for n in range(5):
        mailbox.append("INBOX", mail(20 + n, invoices[n].path))
    store = SQLiteStore(config.parent / "work" / "queue.db")
    runner = Runner(load_config(config), store)
    assert runner.collect() == 10
    runner.close()
    assert (count(mailbox, "INBOX"), count(mailbox, "Processed")) == (0, 5)
    parents = [i for i in store.list() if i.parent_id is None]
    assert len(parents) == 5
    assert len({store.journal(p.id)[0].at for p in parents}) == 3  # one transaction per FETCH: 2 + 2 + 1
    for parent in parents:
        [child_id] = parent.payload["children"]
        assert store.get(child_id).parent_id == parent.id
        assert [e.why for e in store.journal(parent.id) if e.action == "mailbox-done"] == ["moved to Processed"]


def test_the_connection_drops_between_fetches_and_nothing_is_lost_or_taken_twice(deployment, mailbox, invoices,
                                                                                monkeypatch):  # fmt: skip
    from backoffice.mail.mailbox import Mailbox

    config = deployment(extra="imap\n                  batch: 2")
    for n in range(6):
        mailbox.append("INBOX", mail(40 + n, invoices[n].path))
    real_fetch, fetches = Mailbox._fetch, []

    def drops_on_the_third(self, uids):
        fetches.append(list(uids))
        if len(fetches) == 3:
            self.client.shutdown()  # the server hangs up: what is fetched next fails
        return real_fetch(self, uids)

    with monkeypatch.context() as patched:
        patched.setattr(Mailbox, "_fetch", drops_on_the_third)
        store = SQLiteStore(config.parent / "work" / "queue.db")
        runner = Runner(load_config(config), store)
        runner.collect()  # logged, not raised: the source failed
        runner.close()
    parents = [i for i in store.list() if i.parent_id is None]
    assert len(fetches) == 3 and 2 <= len(parents) < 6  # FETCH 1 committed; FETCH 3 never came
    assert 6 - count(mailbox, "INBOX") <= len(parents)  # no mail left the folder before its items were committed
    Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()  # the next poll
    store = finish(config)
    assert (count(mailbox, "INBOX"), count(mailbox, "Processed")) == (0, 6)
    assert len(store.list()) == 12 and {i.status for i in store.list()} == {Status.DONE}
    assert sorted(posted(config.parent / "work")) == sorted(i.path.name for i in invoices[:6])  # each once
    for parent in (i for i in store.list() if i.parent_id is None):  # moved once, and journaled once
        assert len([e for e in store.journal(parent.id) if e.action == "mailbox-done"]) == 1


def test_mailbox_action_is_done_by_the_parent_when_the_server_was_away(deployment, mailbox, invoices, monkeypatch):
    config = deployment()
    mailbox.append("INBOX", mail(3, invoices[3].path))

    def server_gone(self, box, mails):
        raise MailboxDown("the server went away", code="imap-unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(ImapSource, "act", server_gone)
        # its document done, the parent is due at once in the same run: it tries, the server is still away
        Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()
    assert count(mailbox, "INBOX") == 1  # committed, but not moved
    store = finish(config)
    assert count(mailbox, "INBOX") == 0 and count(mailbox, "Processed") == 1
    parent = next(i for i in store.list() if i.parent_id is None)
    assert parent.status == Status.DONE
    journal = store.journal(parent.id)
    assert [e.why for e in journal if e.action == "fail"] == ["the server went away"]  # retried from the queue
    assert [e.why for e in journal if e.action == "mailbox-done"] == ["moved to Processed"]  # exactly once
    assert posted(config.parent / "work") == [invoices[3].path.name]


def test_seen_action_flags_mail_and_never_takes_it_twice(deployment, mailbox, invoices):
    config = deployment(action="seen")
    mailbox.append("INBOX", mail(4, invoices[4].path))
    store = SQLiteStore(config.parent / "work" / "queue.db")
    Runner(load_config(config), store).run_once()
    Runner(load_config(config), store).run_once()
    mailbox.select_folder("INBOX")
    [uid] = mailbox.search()
    assert b"\\Seen" in mailbox.get_flags([uid])[uid]
    assert len(store.list()) == 2 and posted(config.parent / "work") == [invoices[4].path.name]


def test_a_mail_without_documents_goes_to_failed_and_its_parts_to_the_exception_queue(deployment, mailbox):
    config = deployment()
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "x@y.example", "Bad", "<bad-1@y.example>"
    message.set_content("see attachment")
    message.add_attachment(b"MZ" + b"\0" * 40, maintype="application", subtype="octet-stream", filename="invoice.exe")
    mailbox.append("INBOX", message.as_bytes())
    Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()
    assert count(mailbox, "Failed") == 1
    store = finish(config)
    child = next(i for i in store.list() if i.parent_id is not None)
    assert child.status == Status.EXCEPTION and child.reason.startswith("invoice.exe: application/")


def test_idle_picks_up_new_mail_without_waiting_for_the_poll(deployment, mailbox, invoices):
    config = deployment()
    config.write_text(config.read_text().replace("poll_seconds: 0.3", "poll_seconds: 120"))
    store = SQLiteStore(config.parent / "work" / "queue.db")
    from backoffice.bots.service import Service

    runner = Runner(load_config(config), store)
    service = Service(runner)  # the loop `backoffice run` runs
    thread = threading.Thread(target=service.serve, daemon=True)
    thread.start()
    try:
        time.sleep(1.0)  # the first collection has run; the next poll is two minutes away
        mailbox.append("INBOX", mail(5, invoices[5].path))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not posted(config.parent / "work"):
            time.sleep(0.1)
        assert posted(config.parent / "work") == [invoices[5].path.name]
    finally:
        service.request_stop()
        thread.join(timeout=30)
        runner.close()


def start_runner(config: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "backoffice", "-c", str(config), "run"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_dovecot_restart_in_the_middle_of_a_run(deployment, mailbox, invoices, dovecot):
    config = deployment()
    runner = start_runner(config)
    try:
        mailbox.append("INBOX", mail(6, invoices[0].path))
        wait_until(lambda: len(posted(config.parent / "work")) == 1)
        dovecot.restart()
        client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        client.login("alice", "wonderland")
        client.append("INBOX", mail(7, invoices[1].path))
        wait_until(lambda: len(posted(config.parent / "work")) == 2)
        wait_until(lambda: count(client, "Processed") == 2)
        client.logout()
    finally:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0, runner.stderr.read().decode()
    assert sorted(posted(config.parent / "work")) == sorted([invoices[0].path.name, invoices[1].path.name])


def test_sigkill_between_making_files_durable_and_committing_items(deployment, mailbox, invoices):
    """Ten mails: read by two reader processes; the runner is killed before the commit."""
    config = deployment(extra="tests.fakes_mail:SlowToCommitImapSource\n                  readers: 2")
    for n in range(10):
        mailbox.append("INBOX", mail(30 + n, invoices[n].path))
    runner = start_runner(config, {"SLOW_COMMIT_MARKER": str(config.parent / "committing")})
    try:
        wait_until(lambda: (config.parent / "committing").exists())  # files durable, nothing committed
        readers = children_of(runner.pid)
        assert len(readers) >= 2  # the reader processes (and nothing else the runner starts here)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
    wait_until(lambda: not any(alive(pid) for pid in readers), seconds=10)  # the readers go with their runner
    files = config.parent / "work" / "files"
    written = {p.name for p in files.rglob("*") if p.is_file()}
    assert len(written) >= 20 and not any(name.startswith(".incoming-") for name in written)
    assert SQLiteStore(config.parent / "work" / "queue.db").list() == [] and count(mailbox, "INBOX") == 10
    config.write_text(config.read_text().replace("tests.fakes_mail:SlowToCommitImapSource", "imap"))
    Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()
    store = finish(config)
    assert (count(mailbox, "INBOX"), count(mailbox, "Processed")) == (0, 10)
    assert len(store.list()) == 20 and {i.status for i in store.list()} == {Status.DONE}
    assert {p.name for p in files.rglob("*") if p.is_file()} >= written  # the same files, named by content
    assert sorted(posted(config.parent / "work")) == sorted(i.path.name for i in invoices[:10])  # each once


def test_sigkill_between_committing_items_and_moving_the_mail(deployment, mailbox, invoices):
    config = deployment(extra="tests.fakes_mail:SlowToMoveImapSource")
    for n in range(3):
        mailbox.append("INBOX", mail(10 + n, invoices[n].path))
    runner = start_runner(config, {"SLOW_MOVE_MARKER": str(config.parent / "moving")})
    try:
        wait_until(lambda: (config.parent / "moving").exists())  # items committed, MOVE not yet sent
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
    store = SQLiteStore(config.parent / "work" / "queue.db")
    assert len([i for i in store.list() if i.parent_id is None]) == 3
    assert count(mailbox, "INBOX") == 3  # nothing moved: the kill came first
    config.write_text(config.read_text().replace("tests.fakes_mail:SlowToMoveImapSource", "imap"))
    time.sleep(5.5)  # the dead runner's leases expire
    Runner(load_config(config), SQLiteStore(config.parent / "work" / "queue.db")).run_once()
    store = finish(config)
    assert (count(mailbox, "INBOX"), count(mailbox, "Processed")) == (0, 3)
    assert len(store.list()) == 6 and {i.status for i in store.list()} == {Status.DONE}
    assert sorted(posted(config.parent / "work")) == sorted(i.path.name for i in invoices[:3])  # each once
