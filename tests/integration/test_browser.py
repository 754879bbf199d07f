"""Chromium through Playwright: found, launched headless, and gone after close."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from backoffice.browser import BrowserMissing, find_executable, launch

pytestmark = pytest.mark.integration


def chromium_processes() -> int:
    found = subprocess.run(["pgrep", "-f", "chrom(e|ium).*--headless"], capture_output=True, text=True)
    return len(found.stdout.split())


def test_launch_renders_a_page_and_leaves_no_process():
    before = chromium_processes()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.set_content("<form><input name=q value='Rechnung März'><button>Go</button></form>")
        assert page.input_value("input[name=q]") == "Rechnung März"
        browser.close()
    assert chromium_processes() == before


def test_configured_path_must_exist(monkeypatch):
    with sync_playwright() as playwright:
        with pytest.raises(BrowserMissing, match="/no/such/chrome does not exist"):
            find_executable(playwright, "/no/such/chrome")
        monkeypatch.setenv("BACKOFFICE_BROWSER", "/usr/bin/chromium")
        assert find_executable(playwright) == "/usr/bin/chromium"


def test_headless_runs_prefer_the_headless_shell(monkeypatch):
    monkeypatch.delenv("BACKOFFICE_BROWSER", raising=False)
    with sync_playwright() as playwright:
        if Path(playwright.chromium.executable_path).is_file():
            pytest.skip("Playwright's own Chromium is installed here and comes first")
        assert find_executable(playwright, headless=True) == shutil.which("chromium-headless-shell")
        assert find_executable(playwright, headless=False) == shutil.which("chromium")


def test_letter_spaced_headings_printed_by_chromium_read_as_whole_words(tmp_path):
    """CSS letter-spacing, as designed invoices set their small headings: pdfium guesses spaces
    inside such words; the reader keeps each word whole and still parts the words."""
    from backoffice.documents.pdf import read_words

    html = (
        "<style>div{display:flex;gap:14mm} b{display:block;font: 7pt sans-serif;letter-spacing:1pt}</style>"
        "<div><span><b>NÚMERO</b>2024/061</span><span><b>FECHA</b>2 de diciembre</span></div>"
        "<div><b>EMISORA</b><b>CLIENTE</b></div>"
        # a footer's small print: evenly spaced symbols ("€ · 12") are words, not letter-spaced type
        "<p style='font-size:7pt'>au capital de 2 500 000 € · 12 boulevard Pasteur</p>"
    )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.set_content(html)
        page.pdf(path=str(tmp_path / "spaced.pdf"))
        browser.close()
    words = [w.text for w in read_words(tmp_path / "spaced.pdf").words()]
    assert words == [
        "NÚMERO",
        "2024/061",
        "FECHA",
        "2",
        "de",
        "diciembre",
        "EMISORA",
        "CLIENTE",
        "au",
        "capital",
        "de",
        "2",
        "500",
        "000",
        "€",
        "·",
        "12",
        "boulevard",
        "Pasteur",
    ]
