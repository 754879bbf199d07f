"""invoice2data's own compare set, read with its own templates: each record equals the expected JSON.

saeco.pdf matches only once its page is read by OCR (its keywords are printed in an image), as
``extract`` does when no template matches the text layer.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from backoffice.documents import ocr
from backoffice.documents.pdf import read_words
from backoffice.documents.templates import load_templates, match
from backoffice.documents.templates.layout_text import area_text, layout_text
from tests.golden.conftest import CORPUS

FOLDER = CORPUS / "invoice2data"
CASES = sorted(p.stem for p in (FOLDER / "compare").glob("*.json")) if FOLDER.is_dir() else []


@pytest.fixture(scope="module")
def templates():
    return load_templates(FOLDER / "templates")


def _output(templates, stem: str):
    pdf, text = FOLDER / "compare" / f"{stem}.pdf", FOLDER / "compare" / f"{stem}.txt"
    if pdf.exists():
        words = read_words(pdf)
        found = match(templates, layout_text(words), lambda area: area_text(words, area))
        pictured = ocr.read_pictured_pages(pdf, words) if found is None else None
        if pictured is not None:
            found = match(templates, layout_text(pictured), lambda area: area_text(pictured, area))
    else:
        found = match(templates, text.read_text(encoding="utf-8"))
    if found is None:
        return None
    return json.loads(json.dumps(found[1], default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


@pytest.mark.skipif(not CASES, reason=f"no corpus at {FOLDER}")
@pytest.mark.parametrize("stem", CASES)
def test_the_template_gives_the_expected_record(templates, stem):
    expected = json.loads((FOLDER / "compare" / f"{stem}.json").read_text(encoding="utf-8"))[0]
    assert _output(templates, stem) == expected


def test_at_least_ten_of_the_eleven_pdfs_match(templates):
    pdfs = [s for s in CASES if (FOLDER / "compare" / f"{s}.pdf").exists()]
    equal = sum(_output(templates, s) == json.loads((FOLDER / "compare" / f"{s}.json").read_text())[0] for s in pdfs)
    assert len(pdfs) == 11 and equal >= 10
