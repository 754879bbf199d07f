"""fill_form and the click without mouse, in real Chromium, on a page with every kind of field
(the demo portal's order form through the connector: test_portal_browser_steps)."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from backoffice.browser import launch
from backoffice.connectors.portal.forms import FormFailed, Peek, dom_click, fill_form, peek

pytestmark = pytest.mark.integration

FORM = """
<form id="f" onsubmit="event.preventDefault(); document.title = 'sent ' + new FormData(this).get('name')">
  <input id="name" name="name">
  <textarea id="note"></textarea>
  <select id="currency"><option value="EUR">Euro</option><option value="CHF">Swiss franc</option></select>
  <input id="urgent" type="checkbox">
  <input id="count" type="number">
  <input id="locked" readonly value="x">
  <input id="off" disabled>
  <input id="hidden" style="display: none">
  <div id="memo" contenteditable="true"></div>
  <p id="para">text</p>
  <button id="send">Send</button>
  <button id="later" disabled>Later</button>
</form>
<script>
  window.events = [];
  for (const el of document.querySelectorAll("input, textarea, select"))
    for (const kind of ["input", "change"]) el.addEventListener(kind, () => events.push(kind + ":" + el.id));
</script>"""


@pytest.fixture(scope="module")
def page():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser.new_page()
        browser.close()


@pytest.fixture
def form(page):
    page.set_content(FORM)
    return page


def value(page, selector: str):
    return page.eval_on_selector(selector, "e => e.type === 'checkbox' ? e.checked : (e.value ?? e.textContent)")


def test_every_kind_of_field_is_filled_with_the_events_typing_raises(form):
    fill_form(form, {"#name": "Lindner AG", "#note": "two\nlines", "#currency": "Swiss franc", "#urgent": "Yes",
                     "#count": "12", "#memo": "free text"}, 2000)  # fmt: skip
    assert value(form, "#name") == "Lindner AG" and value(form, "#note") == "two\nlines"
    assert value(form, "#currency") == "CHF" and value(form, "#urgent") is True and value(form, "#count") == "12"
    assert form.inner_text("#memo") == "free text"
    assert form.evaluate("events") == [
        "input:name", "change:name", "input:note", "change:note", "input:currency", "change:currency",
        "input:urgent", "change:urgent", "input:count", "change:count",
    ]  # fmt: skip
    fill_form(form, {"#urgent": "no", "#currency": "EUR"}, 2000)
    assert value(form, "#urgent") is False and value(form, "#currency") == "EUR"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"#currency": "Yen"}, '#currency has no option "Yen" (options: EUR, CHF)'),
        ({"#count": "twelve"}, '#count did not take "twelve" (a number field)'),
        ({"#para": "x"}, "#para is a <p>, not a field"),
        ({"text=Send": "x"}, "text=Send is not a CSS selector"),
    ],
)
def test_a_field_that_cannot_take_the_value_fails_at_once_naming_it(form, fields, message):
    with pytest.raises(FormFailed) as failure:
        fill_form(form, fields, 5000)
    assert message in failure.value.reason and failure.value.code == "portal-form"


@pytest.mark.parametrize(
    ("selector", "message"),
    [("#missing", "#missing found nothing after 0.3 s"), ("#hidden", "#hidden is not visible after 0.3 s"),
     ("#off", "#off is disabled after 0.3 s"), ("#locked", "#locked is read-only after 0.3 s")],
)  # fmt: skip
def test_a_field_not_usable_is_waited_for_until_the_timeout(form, selector, message):
    with pytest.raises(FormFailed) as failure:
        fill_form(form, {"#name": "first", selector: "x"}, 300)
    assert failure.value.reason == message
    assert value(form, "#name") == ""  # checked before anything was typed: the form is as it was


def test_a_field_that_appears_later_is_filled(form):
    form.evaluate("setTimeout(() => { document.querySelector('#hidden').style.display = 'inline' }, 200)")
    fill_form(form, {"#hidden": "shown now"}, 3000)
    assert value(form, "#hidden") == "shown now"


def test_the_click_without_mouse_submits_and_refuses_a_disabled_button(form):
    fill_form(form, {"#name": "Ada"}, 1000)
    dom_click(form, "#send", 1000)
    form.wait_for_function("document.title === 'sent Ada'")
    with pytest.raises(FormFailed, match="#later is disabled after 0.2 s"):
        dom_click(form, "#later", 200)


def test_peek_reads_an_element_as_it_is_now_and_leaves_other_selectors_to_playwright(form):
    assert peek(form, "#para") == Peek(found=True, visible=True, value="text")
    assert peek(form, "#hidden") == Peek(found=True, visible=False, value="")
    assert peek(form, "#send", "id") == Peek(found=True, visible=True, value="send")
    assert peek(form, "#nothing") == Peek(found=False, visible=False, value=None)
    assert peek(form, "p:has-text('text')") is None  # not CSS: the locator's business
