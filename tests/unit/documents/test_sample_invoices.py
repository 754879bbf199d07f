"""The demo's sample invoice generator: deterministic, varied, and wrong where it says so."""

from __future__ import annotations

from decimal import Decimal

from backoffice.demo.invoices import LAYOUTS, MISTAKES, generate


def test_the_same_seed_gives_the_same_files(tmp_path):
    first = generate(tmp_path / "a", count=8, seed=11)
    second = generate(tmp_path / "b", count=8, seed=11)
    assert [g.path.read_bytes() for g in first] == [g.path.read_bytes() for g in second]
    assert [(g.expected, g.lines, g.mistake) for g in first] == [(g.expected, g.lines, g.mistake) for g in second]


def test_another_seed_gives_other_invoices(tmp_path):
    first = generate(tmp_path / "a", count=8, seed=11)
    other = generate(tmp_path / "b", count=8, seed=12)
    assert [g.expected for g in first] != [g.expected for g in other]


def test_files_are_pdfs_in_the_folder_with_every_layout(tmp_path):
    generated = generate(tmp_path, count=8)
    assert len(generated) == 8
    assert {g.layout for g in generated} == set(LAYOUTS)
    for g in generated:
        assert g.path.parent == tmp_path
        assert g.path.read_bytes().startswith(b"%PDF-")
        assert 1 <= len(g.lines) <= 12


def test_mistakes_are_what_they_say(tmp_path):
    generated = generate(tmp_path, count=40, seed=3)
    assert {g.mistake for g in generated} == {None, *MISTAKES}
    for g in generated:
        e = g.expected
        adds_up = Decimal(e["net_total"]) + Decimal(e["tax_total"]) == Decimal(e["grand_total"])
        assert adds_up == (g.mistake != "totals")
        assert ("invoice_number" in e) == (g.mistake != "missing-number")
        assert (e["due_date"] < e["issue_date"]) == (g.mistake == "due-before-issue")
        assert sum(Decimal(line["amount"]) for line in g.lines) == Decimal(e["net_total"])
