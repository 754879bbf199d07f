"""The runner's two learning hooks with a real Runner: an invoice the rules stop goes to the
exception queue, a person corrects it, the runner completes it and learns its layout; the
sender's next invoice is read with it and passes."""

from __future__ import annotations

import random

from backoffice.learning.store import layouts
from backoffice.bots import Runner
from backoffice.config import load_config
from backoffice.demo.series import generate_series
from backoffice.learning.desk import Desk, correct_fields
from backoffice.queue.base import NewItem, Status
from backoffice.queue.memory import MemoryStore
from backoffice.rules import load_rules

RULES = """
kind: invoice
description: The fields a person must see before posting.
required: [invoice_number, issue_date, due_date, order_reference, grand_total]
"""


def test_a_correction_in_the_exception_queue_teaches_the_runner(deployment, tmp_path):
    path = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            rules: rules/needed.yaml
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
        """
    )
    (path.parent / "rules" / "needed.yaml").write_text(RULES)
    store = MemoryStore()
    runner = Runner(load_config(path), store, owner="test-runner", rng=random.Random(1))
    # Seed 17's first sender: the reader misses its invoice number, due date and order reference.
    first, second = generate_series(tmp_path / "series", senders=1, per_sender=2, seed=17)[0]

    def queue(invoice):
        stored = runner.files.put_file(invoice.path)
        item, _ = store.enqueue(NewItem("invoices", invoice.path.name, payload={"file": invoice.path.name},
                                        files=[stored]))  # fmt: skip
        return item

    queue(first)
    held = runner.process_next()
    assert held.status == Status.EXCEPTION and held.error_code.startswith("rule:required")
    document = held.payload["document"]["fields"]
    wrong = {k: v for k, v in first.expected.items() if document.get(k, {}).get("value") != v}
    rules = load_rules(path.parent / "rules" / "needed.yaml")
    correct_fields(Desk(store, lambda bot: rules), held.id, wrong, why="read wrong", actor="anna")
    store.retry(held.id, actor="anna")
    assert runner.process_next().status == Status.DONE
    [layout] = layouts(store).list()
    assert (layout.item, layout.taught_by) == (held.id, "anna")

    queue(second)
    done = runner.process_next()
    assert done.status == Status.DONE, done.reason
    fields = done.payload["document"]["fields"]
    for name in wrong:
        assert (fields[name]["value"], fields[name]["method"]) == (second.expected[name], "learned")
    assert done.payload["learned"]["layout"] == layout.id and done.payload["learned"]["review"] == []
    assert f"from item {held.id}, corrected by anna on" in done.payload["learned"]["provenance"]


def test_a_learned_reading_that_disagrees_with_the_reader_holds_the_item_once(deployment, tmp_path):
    from dataclasses import replace

    path = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            rules: rules/needed.yaml
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
        """
    )
    (path.parent / "rules" / "needed.yaml").write_text(RULES)
    rules = load_rules(path.parent / "rules" / "needed.yaml")
    store = MemoryStore()
    runner = Runner(load_config(path), store, owner="test-runner", rng=random.Random(1))
    first, second = generate_series(tmp_path / "series", senders=1, per_sender=2, seed=17)[0]
    for invoice in (first, second):
        stored = runner.files.put_file(invoice.path)
        store.enqueue(NewItem("invoices", invoice.path.name, payload={"file": invoice.path.name}, files=[stored]))

    held = runner.process_next()
    fields = held.payload["document"]["fields"]
    assert fields["grand_total"]["value"] == first.expected["grand_total"]  # the reader reads the total right
    wrong = {k: v for k, v in first.expected.items() if fields.get(k, {}).get("value") != v}
    correct_fields(Desk(store, lambda bot: rules), held.id, wrong, why="read wrong", actor="anna")
    store.retry(held.id, actor="anna")
    assert runner.process_next().status == Status.DONE
    [layout] = layouts(store).list()
    assert not layout.fields["grand_total"].corrected
    # The layout goes wrong: its grand total rule reads where the tax is printed.
    drifted = replace(layout.fields["tax_total"], name="grand_total")
    layouts(store).save(replace(layout, fields={**layout.fields, "grand_total": drifted}),
                         actor="test", item_id=None, action="revise", fields=["grand_total"])  # fmt: skip

    stopped = runner.process_next()
    assert stopped.status == Status.EXCEPTION and stopped.error_code == "learned-review", stopped.reason
    assert "grand_total" in stopped.reason and second.expected["tax_total"] in stopped.reason
    assert second.expected["grand_total"] in stopped.reason
    [entry] = stopped.payload["learned"]["review"]
    assert (entry["field"], entry["reader"]) == ("grand_total", second.expected["grand_total"])
    # A person looked and let it go on: it is not held again.
    store.retry(stopped.id, actor="anna", why="checked the total")
    assert runner.process_next().status == Status.DONE
