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
