from __future__ import annotations

import json
import logging

from backoffice.logs import log_context, run_log


def test_run_log_has_run_context_and_extra_fields_on_every_line(tmp_path):
    logger = logging.getLogger("backoffice.test")
    with run_log(tmp_path, "R1") as path:
        with log_context(bot="invoices", item=7):
            logger.info("extracted", extra={"pages": 3, "ms": 12.5})
            logging.getLogger("backoffice.documents.x").warning("doubtful total")
        logger.info("outside")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(l["message"], l.get("bot"), l.get("item"), l["run"]) for l in lines] == [
        ("extracted", "invoices", 7, "R1"), ("doubtful total", "invoices", 7, "R1"), ("outside", None, None, "R1"),
    ]  # fmt: skip
    assert (lines[0]["pages"], lines[0]["ms"], lines[1]["level"]) == (3, 12.5, "warning")
    assert path.name == "run-R1.jsonl"


def test_a_long_run_rolls_its_log_over_and_keeps_only_the_last_parts(tmp_path):
    logger = logging.getLogger("backoffice.test")
    with run_log(tmp_path, "LONG", max_bytes=2_000, backups=2) as path:
        for number in range(100):
            logger.info("line %s %s", number, "x" * 50)
    parts = sorted(p.name for p in tmp_path.iterdir())
    assert parts == ["run-LONG.jsonl", "run-LONG.jsonl.1", "run-LONG.jsonl.2"]
    assert all(p.stat().st_size < 2_000 + 300 for p in tmp_path.iterdir())  # one record past the limit at most
    last = [json.loads(line)["message"] for line in path.read_text().splitlines()]
    assert last[-1] == f"line 99 {'x' * 50}"
    kept = [json.loads(line)["message"] for p in tmp_path.iterdir() for line in p.read_text().splitlines()]
    assert len(kept) < 100 and f"line 0 {'x' * 50}" not in kept  # the oldest part was dropped


def test_a_new_run_deletes_run_logs_older_than_keep_days(tmp_path):
    import os
    import time

    old, recent, other = tmp_path / "run-OLD.jsonl.1", tmp_path / "run-RECENT.jsonl", tmp_path / "notes.txt"
    for path in (old, recent, other):
        path.write_text("{}\n")
    month_ago = time.time() - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))
    with run_log(tmp_path, "NEW", keep_days=30) as path:
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "run-NEW.jsonl", "run-RECENT.jsonl"]
    assert "deleted run-OLD.jsonl.1 (older than 30 days)" in path.read_text()


def _log_a_lot() -> None:
    for n in range(100):
        logging.getLogger("backoffice.test").info("from a worker %d %s", n, "x" * 40)


def test_a_forked_worker_appends_to_the_run_log_but_never_rolls_it_over(tmp_path):
    import multiprocessing

    with run_log(tmp_path, "R3", max_bytes=2_000, backups=2) as path:
        worker = multiprocessing.get_context("fork").Process(target=_log_a_lot)
        worker.start()
        worker.join(timeout=30)
        assert worker.exitcode == 0
        assert path.stat().st_size > 2_000 and not path.with_name(path.name + ".1").exists()
        logging.getLogger("backoffice.test").info("the runner itself")  # the owner rolls it over
        assert path.with_name(path.name + ".1").exists()
    rolled = path.with_name(path.name + ".1").read_text().splitlines()
    assert sum("from a worker" in line for line in rolled) == 100  # nothing lost
