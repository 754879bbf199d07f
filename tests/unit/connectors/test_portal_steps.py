"""Pieces of the portal steps that need no browser: templates and download names."""

from __future__ import annotations

import pytest

from backoffice.connectors.portal.steps import StepFailed, _file_name, load_callable, render


def test_render_fills_placeholders_and_names_the_missing_one():
    assert render("/orders?reference={key}", {"key": "bo-1"}) == "/orders?reference=bo-1"
    assert render("{total} {currency}", {"total": "12.50", "currency": "EUR"}) == "12.50 EUR"
    with pytest.raises(StepFailed, match=r"unknown placeholder \{buyer\} \(known: key, total\)"):
        render("{buyer}", {"key": "k", "total": "1", "_hidden": 1})


def test_download_names_come_from_the_header_or_the_url():
    assert _file_name({"content-disposition": 'attachment; filename="TS-0001.pdf"'}, "http://x/a") == "TS-0001.pdf"
    assert _file_name({"content-disposition": "attachment; filename*=UTF-8''M%C3%A4rz.csv"}, "http://x/a") == "März.csv"
    assert _file_name({}, "http://x/files/TS-0002.csv?x=1") == "TS-0002.csv"


def test_load_callable_by_dotted_path():
    assert load_callable("backoffice.connectors.portal.steps:render") is render
    assert load_callable("backoffice.connectors.portal.steps.render") is render
    with pytest.raises(StepFailed, match="call backoffice.nothing:here"):
        load_callable("backoffice.nothing:here")
