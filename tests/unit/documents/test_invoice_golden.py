"""Golden round trip: every generated sample invoice reads back as the values printed on it."""

from __future__ import annotations

import pytest

SAMPLE_COUNT = 12  # the `samples` fixture's count (the demo's default)


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_fields_equal_what_was_printed(samples, index):
    generated, document = samples[index]
    got = {name: document.fields[name].value for name in generated.expected if name in document.fields}
    assert got == generated.expected
    assert document.kind == "invoice"
    assert document.method == "text-layer"
    assert document.source == generated.path.name
    assert document.pages == 1


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_line_items_equal_what_was_printed(samples, index):
    generated, document = samples[index]
    lines = [
        {name: line[name].value for name in ("description", "quantity", "unit_price", "amount") if name in line}
        for line in document.lines
    ]
    assert lines == generated.lines


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_nothing_is_read_that_was_not_printed(samples, index):
    generated, document = samples[index]
    assert set(document.fields) <= set(generated.expected)


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_warnings_only_for_totals_that_do_not_add_up(samples, index):
    generated, document = samples[index]
    if generated.mistake == "totals":
        assert any(w.startswith("totals do not add up") for w in document.warnings)
        assert document.fields["grand_total"].confidence < 0.9
    else:
        assert document.warnings == []
        assert document.fields["grand_total"].confidence >= 0.75


def test_the_sample_set_holds_one_of_each_mistake(samples):
    assert len(samples) == SAMPLE_COUNT
    mistakes = sorted(g.mistake for g, _ in samples if g.mistake)
    assert mistakes == ["due-before-issue", "missing-number", "totals"]
    layouts = {g.layout for g, _ in samples}
    assert len(layouts) >= 3
