"""Document kinds as plugins: found by dotted path or by an installed entry point, read through
the same registry as the built-in kinds, their fields known to rule files; a broken plugin is a
DocumentError naming the file, an unknown kind a clear error naming the known ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backoffice import documents, extractors
from backoffice.cli import app
from backoffice.config import load_config
from backoffice.documents import registry
from backoffice.errors import ConfigError, DocumentError
from backoffice.rules import load_rules
from tests.conftest import ROOT
from tests.delivery_notes import DeliveryNote, write

SAMPLE = "backoffice.samples.kinds.delivery_note:KIND"
runner = CliRunner()


@pytest.fixture
def note(tmp_path: Path) -> Path:
    return write(tmp_path / "note.pdf")


def installed(folder: Path, distribution: str, points: dict[str, str]) -> Path:
    """A distribution's metadata as pip installs it (NAME-1.0.dist-info with entry_points.txt),
    in ``folder``; put on sys.path it is found by importlib.metadata like any installed one."""
    info = folder / f"{distribution}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in points.items())
    (info / "entry_points.txt").write_text(f"[{extractors.GROUP}]\n{lines}")
    return folder


@pytest.fixture
def entry_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install entry points for this test: ``entry_points({"name": "module:attribute"})``."""

    def install(points: dict[str, str], distribution: str = "acme_kinds") -> Path:
        folder = installed(tmp_path / "site", distribution, points)
        monkeypatch.syspath_prepend(str(folder))
        extractors.entry_points.cache_clear()
        return folder

    yield install
    extractors.entry_points.cache_clear()


def plugin_module(folder: Path, name: str, body: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A plugin's module ``name`` written into ``folder`` and put on sys.path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    return name


def test_the_builtin_kinds_come_from_the_registry_and_only_entry_points_are_added():
    assert extractors.known()[:4] == ["auto", "invoice", "timesheet", "order"]
    assert registry.get("invoice").gives == {"invoice", "credit_note"}
    assert registry.get("order").fields["order_number"] == "text" and registry.get("auto").builtin


def test_a_kind_by_dotted_path_reads_its_document(note):
    document = documents.extract(note, kind=SAMPLE)
    expected = DeliveryNote()
    assert document.kind == "delivery_note" and document.source == "note.pdf" and document.pages == 1
    assert {name: found.value for name, found in document.fields.items()} == expected.fields()
    assert [{k: f.value for k, f in line.items()} for line in document.lines] == [
        {"product_code": code, "description": text, "quantity": quantity} for code, text, quantity in expected.lines
    ]
    assert document.fields["delivery_number"].page == 1 and document.fields["delivery_number"].bbox is not None


def test_extract_all_gives_the_plugin_document_too(note):
    [document] = documents.extract_all(note, kind=SAMPLE)
    assert document.fields["order_number"].value == "PO-4711"


def test_the_cli_reads_a_plugin_kind_by_dotted_path(note):
    result = runner.invoke(app, ["extract", "--kind", SAMPLE, str(note), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "delivery_note" and data["fields"]["delivery_date"]["value"] == "2026-03-14"
    assert data["lines"][1] == {"product_code": "B-220", "description": "Washers 8 mm", "quantity": "400"}


def test_a_kind_by_entry_point_is_known_and_read(note, entry_points):
    entry_points({"delivery_note": SAMPLE})
    assert "delivery_note" in extractors.known()
    assert documents.extract(note, kind="delivery_note").fields["supplier"].value == "Northwind Supplies GmbH"
    assert registry.field_types("delivery_note")["delivery_date"] == "date"


def test_extract_kind_by_an_installed_entry_point_in_a_real_process(note, tmp_path):
    """``backoffice extract --kind delivery_note`` in a fresh interpreter: importlib.metadata finds the
    distribution's entry point on PYTHONPATH as it finds a pip-installed one."""
    site = installed(tmp_path / "site", "acme_kinds", {"delivery_note": SAMPLE})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
    command = [sys.executable, "-m", "backoffice", "extract", "--kind", "delivery_note", str(note), "--json"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kind"] == "delivery_note" and data["fields"]["delivery_number"]["value"] == "DN-2026-0815"
    assert [line["quantity"] for line in data["lines"]] == ["200", "400", "150"]


def test_an_entry_point_whose_kind_has_another_name_is_refused(entry_points):
    entry_points({"packing_slip": SAMPLE})
    with pytest.raises(ValueError, match="'packing_slip'.*is named 'delivery_note'"):
        registry.get("packing_slip")


def test_unknown_kinds_are_clear_errors(note, entry_points):
    entry_points({"delivery_note": SAMPLE})
    with pytest.raises(extractors.UnknownKind) as caught:
        documents.extract(note, kind="payslip")
    assert "'payslip'" in str(caught.value) and "auto, invoice, timesheet, order, delivery_note" in str(caught.value)
    with pytest.raises(ValueError, match="cannot import no_such_module"):
        documents.extract(note, kind="no_such_module:KIND")
    with pytest.raises(ValueError, match="has no NOPE"):
        registry.get("backoffice.samples.kinds.delivery_note:NOPE")
    with pytest.raises(ValueError, match="is a dict, not a DocumentKind"):
        registry.get("backoffice.samples.kinds.delivery_note:FIELDS")


def test_the_cli_names_an_unknown_kind_and_the_known_ones(note):
    result = runner.invoke(app, ["extract", "--kind", "payslip", str(note), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["code"] == "unknown-kind" and "'payslip'" in data["error"] and "timesheet" in data["error"]
    result = runner.invoke(app, ["extract", "--kind", "payslip", str(note)])
    assert result.exit_code == 1 and "--kind: unknown document kind 'payslip'; known kinds: auto" in result.stderr


BOTS = """
workspace: work
bots:
  - name: goods-in
    source: {{kind: folder, path: inbox, create: true}}
    extractor: {extractor}
"""


def test_bots_yaml_takes_a_plugin_kind_and_names_the_bot_of_an_unknown_one(deployment, entry_points):
    assert load_config(deployment(BOTS.format(extractor=SAMPLE))).bots[0].extractor == SAMPLE
    entry_points({"delivery_note": SAMPLE})
    assert load_config(deployment(BOTS.format(extractor="delivery_note"))).bots[0].extractor == "delivery_note"
    path = deployment(BOTS.format(extractor="payslip"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:5: bots[0].extractor: bot goods-in: unknown document kind 'payslip'")
    assert "known kinds: auto, invoice, timesheet, order, delivery_note" in problem


def test_the_sample_rule_file_judges_the_plugin_document(tmp_path):
    rules = load_rules(ROOT / "rules" / "delivery_note.yaml")
    assert rules.kind == "delivery_note"
    lines = [("TON-505", "Toner cartridge black", "10"), ("PAP-A4", "Copy paper A4", "40")]
    good = documents.extract(write(tmp_path / "good.pdf", DeliveryNote(order_number="PO-10001", lines=lines)), SAMPLE)
    verdict = rules.evaluate(good)
    assert verdict.passed, [o for o in verdict.outcomes if not o.ok]
    wrong = DeliveryNote(order_number="PO-10001", lines=[*lines, ("XYZ-999", "Mystery", "1")])
    verdict = rules.evaluate(documents.extract(write(tmp_path / "wrong.pdf", wrong), SAMPLE))
    failed = {o.rule: o.message for o in verdict.outcomes if not o.ok}
    assert list(failed) == ["items-ordered"] and "XYZ-999" in failed["items-ordered"]


def test_a_rule_file_for_a_plugin_kind_names_the_line_of_an_unknown_field(tmp_path):
    path = tmp_path / "notes.yaml"
    path.write_text(
        f"kind: {SAMPLE}\n"
        "required: [delivery_number, delivery_no]\n"
        "rules:\n"
        "  - {id: soon, check: delivery_dat <= today(), message: late}\n"
        "  - {id: qty, check: 'all(q > 0 for q in lines.qty)', message: none}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_rules(path)
    problems = caught.value.problems
    assert any(p.startswith(f"{path}:2:") and "unknown field 'delivery_no'" in p for p in problems), problems
    assert any(p.startswith(f"{path}:4:") and "'delivery_dat'" in p for p in problems), problems
    assert any(p.startswith(f"{path}:5:") and "qty" in p for p in problems), problems
    path.write_text("kind: auto\n")
    with pytest.raises(ConfigError, match="notes.yaml:1:1: kind: unknown document kind 'auto'; rule files read"):
        load_rules(path)


BROKEN = """
from backoffice.documents import Document, Field
from backoffice.documents.registry import DocumentKind

def fails(reading):
    raise KeyError("the ERP answered nothing")

def undeclared(reading):
    return Document(kind="claim", method="text-layer", fields={"amount_claimed": Field("12.00")})

def bad_date(reading):
    return Document(kind="claim", method="text-layer", fields={"claimed_on": Field("03/14/2026")})

def other_kind(reading):
    return Document(kind="invoice", method="text-layer")

FIELDS = {"claimed_on": "date"}
FAILS = DocumentKind("claim", fails, FIELDS)
UNDECLARED = DocumentKind("claim", undeclared, FIELDS)
BAD_DATE = DocumentKind("claim", bad_date, FIELDS)
OTHER_KIND = DocumentKind("claim", other_kind, FIELDS)
"""


@pytest.mark.parametrize(
    ("attribute", "code", "said"),
    [
        ("FAILS", "reader-failed", "the claim reader failed: KeyError: 'the ERP answered nothing'"),
        ("UNDECLARED", "reader-output", "gave field 'amount_claimed', which claim does not declare"),
        ("BAD_DATE", "reader-output", "gave field 'claimed_on' = '03/14/2026', not a normalised date"),
        ("OTHER_KIND", "reader-output", "gave a Document of kind 'invoice'; it declares claim"),
    ],
)
def test_a_broken_plugin_reader_is_a_document_error_naming_the_file(note, tmp_path, monkeypatch, attribute, code, said):
    module = plugin_module(tmp_path / "plugins", "claims_broken", BROKEN, monkeypatch)
    with pytest.raises(DocumentError) as caught:
        documents.extract(note, kind=f"{module}:{attribute}")
    assert caught.value.code == code
    assert caught.value.reason.startswith("note.pdf: ") and said in caught.value.reason, caught.value.reason


def test_a_plugin_cannot_take_a_builtin_name(tmp_path, monkeypatch):
    body = "from backoffice.documents.registry import DocumentKind\nKIND = DocumentKind('invoice', print, {})\n"
    module = plugin_module(tmp_path / "plugins", "claims_taken", body, monkeypatch)
    with pytest.raises(ValueError, match="the name 'invoice' is a built-in kind's"):
        registry.get(f"{module}:KIND")


def test_a_kind_declares_only_known_field_types():
    with pytest.raises(ValueError, match="'amount' has type 'float'; use one of text, date, money"):
        registry.DocumentKind("claim", print, {"amount": "float"})


def test_the_supervisor_ui_shows_and_corrects_a_plugin_kinds_fields(note):
    from backoffice.web import actions, fieldview

    document = documents.extract(note, kind=SAMPLE).to_dict()
    assert [name for name, _, _ in fieldview.line_columns(document)] == ["product_code", "description", "quantity"]
    assert actions._checked(document, "delivery_date", "2026-03-15") == ("delivery_date", "2026-03-15")
    assert actions._checked(document, "lines[1].quantity", "399") == ("lines[1].quantity", "399")
    with pytest.raises(actions.ActionRefused, match="delivery_date must be a date"):
        actions._checked(document, "delivery_date", "soon")
    with pytest.raises(actions.ActionRefused, match="grand_total is not a field of a delivery_note document"):
        actions._checked(document, "grand_total", "1.00")
