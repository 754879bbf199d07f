"""A learned line table is exported with the layout (invoice2data's ``lines`` parser), and the
exported template reads the next invoice's lines as the learned layout does."""

from __future__ import annotations

import pytest
import yaml

from backoffice.demo.learning_flow import finish, hold, intake
from backoffice.demo.series_tables import generate_table_series
from backoffice.documents import extract
from backoffice.documents.templates.engine import Template
from backoffice.learning.desk import Desk, correct_fields
from backoffice.learning.export import export
from backoffice.queue.memory import MemoryStore


@pytest.mark.parametrize("form", ["ours", "invoice2data"])
def test_the_exported_template_reads_the_table_it_was_learned_from(tmp_path, form):
    first, second = generate_table_series(tmp_path, senders=1, per_sender=2, seed=23)[0]
    store = MemoryStore()
    item, document = intake(store, "invoices", first.path)
    hold(store, item)
    changes = {
        k: v for k, v in first.expected.items() if (document.fields[k].value if k in document.fields else None) != v
    }
    for number, line in enumerate(first.lines, start=1):
        changes.update({f"line.{number}.{k}": v for k, v in line.items()})
    correct_fields(Desk(store), item.id, changes, why="read wrong", actor="anna")
    _, layout = finish(store, store.get(item.id), first.path, "anna")
    exported = yaml.safe_load(export(layout, form))
    assert exported["fields"]["lines"]["parser"] == "lines"
    read = extract(second.path, templates=[Template(exported, "learned")])
    assert read.method == "template:learned"
    assert [{k: f.value for k, f in line.items()} for line in read.lines] == second.lines
