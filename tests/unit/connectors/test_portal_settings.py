"""The portal connector's bots.yaml models, templates and registry (no browser needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from backoffice import connectors
from backoffice.config import load_config
from backoffice.connectors.portal.settings import PortalSourceSettings, PortalTargetSettings, Step
from backoffice.errors import ConfigError


def test_a_step_has_exactly_one_action():
    assert Step(goto="/orders").action == "goto"
    assert Step(set="reference", read="#confirmation").describe() == "set reference"
    with pytest.raises(ValidationError, match=r"exactly one of .* \(found: goto, click\)"):
        Step(goto="/a", click="#b")
    with pytest.raises(ValidationError, match=r"\(found: none\)"):
        Step(value="x")
    with pytest.raises(ValidationError, match="fill needs a value"):
        Step(fill="#customer")
    with pytest.raises(ValidationError, match="either read .* or value"):
        Step(set="x")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Step(goto="/a", wait=3)


def test_fill_form_takes_selectors_and_values_and_click_may_skip_the_mouse():
    step = Step(fill_form={"#customer": "{buyer_name}", "#currency": "EUR"})
    assert step.action == "fill_form" and step.describe() == "fill_form #customer, #currency"
    with pytest.raises(ValidationError, match="fill_form needs at least one selector"):
        Step(fill_form={})
    assert Step(click="#submit").mouse is True and Step(click="#submit", mouse=False).mouse is False


def test_paginate_nests_steps():
    step = Step(paginate={"next": "a.next", "steps": [{"extract_table": "table"}]})
    assert step.paginate.steps[0].action == "extract_table" and step.paginate.max_pages == 100


def test_a_portal_needs_a_connection_or_a_url():
    base = {"kind": "portal", "steps": [{"goto": "/"}]}
    with pytest.raises(ValidationError, match="either connection or url"):
        PortalTargetSettings(**base)
    with pytest.raises(ValidationError, match="either connection or url"):
        PortalTargetSettings(**base, url="http://x", connection="portal")
    target = PortalTargetSettings(**base, url="http://x")
    assert target.login.url == "/login" and target.browser.reuse_context is False and target.lookup is None
    with pytest.raises(ValidationError, match="items"):
        PortalSourceSettings(**base, url="http://x")


def test_bots_yaml_with_portal_bots_and_a_secret(deployment, monkeypatch):
    monkeypatch.setenv("PORTAL_PASSWORD", "hunter2")
    path = deployment("""
        workspace: work
        connections:
          portal: {url: "http://127.0.0.1:1", username: clerk, password: "${PORTAL_PASSWORD}"}
        bots:
          - name: sheets
            extractor: timesheet
            source:
              kind: portal
              connection: portal
              steps: [{goto: /timesheets}, {extract_table: "table#timesheets", links: {pdf: a.pdf}}]
              items: {key: "{ID}", download: "{pdf}"}
          - name: orders
            extractor: order
            source: {kind: folder, path: inbox, create: true}
            targets:
              - kind: portal
                connection: portal
                browser: {reuse_context: true, executable: /usr/bin/chromium}
                steps: [{goto: /orders/new}, {click: "#submit", navigates: true}, {set: reference, read: "#c"}]
                lookup: {steps: [{goto: "/orders?reference={key}"}]}
    """)
    config = load_config(path)
    source, target = config.bots[0].source, config.bots[1].targets[0]
    assert isinstance(source, PortalSourceSettings) and source.items.download == "{pdf}"
    assert isinstance(target, PortalTargetSettings) and target.browser.executable == "/usr/bin/chromium"
    assert config.connections["portal"].password.get_secret_value() == "hunter2"


def test_bots_yaml_errors_name_the_line(deployment):
    path = deployment("""
        workspace: work
        bots:
          - name: orders
            source: {kind: folder, path: inbox, create: true}
            targets:
              - kind: portal
                connection: nowhere
                steps: [{goto: /a, fill: "#b"}]
    """)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = str(error.value)
    assert "bots.yaml:7" in text and "no connection named 'nowhere'" in text
    assert "exactly one of" in text


def test_the_registry_names_the_portal_and_playwright_stays_unimported():
    assert connectors.SOURCES["portal"].endswith(":PortalSource")
    assert connectors.TARGETS["portal"].endswith(":PortalTarget")
    code = "import sys, backoffice.config, backoffice.bots.runner; print('playwright' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "False"
    assert connectors.load_class("portal", connectors.TARGETS).__name__ == "PortalTarget"
