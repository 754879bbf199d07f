"""The supervisor's day in real Chromium: sign in and review an item with the keyboard only
(Tab between fields, Esc undoes a field, Ctrl+Enter confirms), correcting three fields and a
line item with one "why"; the rules run again, the fields looked at are confirmed, and the next
item of the list opens. Meanwhile a second supervisor who opens the item sees who holds it and
is refused (journaled). The corrector is offered no Approve; the second supervisor finds the
item in "Waiting for my approval" and approves it (four eyes). Also: a click on a word of the page fills the focused field, Enter confirms, the
viewer finds words, a wrong password keeps the name and the page asked for."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from backoffice.queue.base import Status
from backoffice.rules import approvals
from tests.integration.web.conftest import PASSWORDS
from tests.integration.web.test_ui_chromium import sign_in

pytestmark = pytest.mark.integration
LIST = "status=exception&sort=oldest"


def keyboard_sign_in(page: Page, url: str, name: str, then: str) -> None:
    page.goto(f"{url}{then}")
    expect(page).to_have_url(f"{url}/login?next={quote(then, safe='')}")
    expect(page.locator("input[name=name]")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORDS[name])
    page.keyboard.press("Enter")
    expect(page.locator(".who")).to_contain_text(name)


def tab_to(page: Page, name: str, limit: int = 400) -> None:
    """Press Tab until the field named ``name`` has the focus (the keyboard only)."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.name") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name}")


def totals_items(served) -> list[int]:
    return [
        i.id
        for i in served.store.list(status=Status.EXCEPTION)
        if i.error_code == "rule:totals-add-up" and len(i.payload["document"].get("lines") or []) >= 2
    ]


def test_review_with_the_keyboard_confirm_and_next_then_a_second_person_approves(browser, served, artifacts):
    item = served.store.get(totals_items(served)[0])
    fields = item.payload["document"]["fields"]
    right = Decimal(fields["net_total"]["value"]) + Decimal(fields["tax_total"]["value"])
    listing = quote(LIST, safe="")
    order = sorted(i.id for i in served.store.list(status=Status.EXCEPTION))  # the list: oldest first, by id
    alice = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    bob = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    try:
        keyboard_sign_in(alice, served.url, "alice", then=f"/items/{item.id}?list={listing}")
        expect(alice.locator("h1")).to_contain_text(f"Item #{item.id}")
        # the claim: bob opens the item alice is reviewing; he sees who holds it, and his
        # review (a page he opened before) is refused, naming her
        keyboard_sign_in(bob, served.url, "bob", then=f"/items/{item.id}")
        expect(bob.locator("p.held")).to_contain_text("Held by alice")
        expect(bob.locator("form#review button[type=submit]")).to_have_count(0)
        refused = bob.request.post(f"{served.url}/items/{item.id}/review", headers={"accept": "application/json"},
                                   form={"csrf": bob.locator("input[name=csrf]").first.input_value(),
                                         "set.grand_total": "1.00", "why": "mine"})  # fmt: skip
        assert refused.status == 409 and f"alice is reviewing item {item.id}" in refused.json()["error"]
        assert "corrections" not in served.store.get(item.id).payload
        review = alice.locator("form#review")
        expect(review.locator("tr[data-field=grand_total] .field-status")).to_have_text("to review")
        expect(review.locator("table.line-items tbody tr")).to_have_count(len(item.payload["document"]["lines"]))
        alice.wait_for_selector("body[data-keys=on]", state="attached")
        alice.keyboard.press("e")  # into the form
        expect(review.locator("input:focus")).to_have_count(1)

        tab_to(alice, "set.order_reference")
        alice.keyboard.type("a slip of the finger")
        alice.keyboard.press("Escape")  # undone
        expect(review.locator("input[name='set.order_reference']")).to_have_value("")
        alice.keyboard.type("PO-2024-7")
        tab_to(alice, "set.buyer_name")
        alice.keyboard.type("Riverside Dental Group LLC")
        tab_to(alice, "set.grand_total")
        alice.keyboard.type(str(right))
        tab_to(alice, "set.lines[0].description")
        alice.keyboard.type("Office chair, black")
        tab_to(alice, "why")
        alice.keyboard.type("checked against the paper original")
        alice.screenshot(path=str(artifacts / "review-filled.png"), full_page=True)
        alice.keyboard.press("Control+Enter")

        following = order[order.index(item.id) + 1]
        expect(alice.locator("h1")).to_contain_text(f"Item #{following}")  # the next item of the list
        expect(alice.locator("p.notice").first).to_contain_text(f"Item #{item.id}: Reviewed")
        assert f"list={listing}" in alice.url

        after = served.store.get(item.id)
        document = after.payload["document"]
        assert sorted(c["field"] for c in after.payload["corrections"]) == [
            "buyer_name",
            "grand_total",
            "lines[0].description",
            "order_reference",
        ]
        assert {c["why"] for c in after.payload["corrections"]} == {"checked against the paper original"}
        assert document["fields"]["grand_total"]["value"] == str(right)
        assert document["lines"][0]["description"] == "Office chair, black"
        assert document["line_fields"][0]["description"]["method"] == "correction"
        assert "seller_name" in after.payload["confirmed"] and "grand_total" not in after.payload["confirmed"]
        totals = next(o for o in after.payload["verdict"]["outcomes"] if o["rule"] == "totals-add-up")
        assert totals["ok"]  # the rules ran again on the corrected data
        actions_ = [e.action for e in served.store.journal(item.id)]
        assert actions_[-1] == "let-go"  # confirmed and on to the next: she let go of it
        worked = [a for a in actions_ if a not in ("hold", "hold-refused", "let-go")]
        assert worked[-6:] == ["correct", "correct", "correct", "correct", "review", "rerun-rules"]

        alice.goto(f"{served.url}/items/{item.id}")  # four eyes: alice changed the total
        expect(alice.locator(".reason-box").first).to_contain_text("needs an approval by a second person")
        expect(alice.locator("section.actions button:has-text('Approve')")).to_have_count(0)
        expect(alice.locator("form#review tr[data-field=grand_total] .field-status")).to_have_text("corrected")
        expect(alice.locator("form#review tr[data-field=seller_name] .field-status")).to_have_text("confirmed")
        alice.goto(f"{served.url}/exceptions")  # not hers to approve: four eyes
        expect(alice.locator("nav.views a:has-text('Waiting for my approval') .count")).to_have_text("0")
        alice.goto(f"{served.url}/items/{item.id}")
        alice.click("button:has-text('Leave it to others')")  # opening it again held it for her
        assert served.store.holders().get(item.id) is None

        # bob finds it in "Waiting for my approval" and approves it from there
        bob.goto(f"{served.url}/exceptions")
        waiting = bob.locator("nav.views a:has-text('Waiting for my approval')")
        expect(waiting.locator(".count")).to_have_text("1")
        waiting.click()
        expect(bob.locator("nav.views a[aria-current=page]")).to_contain_text("Waiting for my approval")
        expect(bob.locator("table.items tbody tr")).to_have_count(1)  # only the item alice corrected
        bob.click(f"a:text-is('#{item.id}')")
        expect(bob.locator("h1")).to_contain_text(f"Item #{item.id}")
        bob.wait_for_selector("body[data-keys=on]", state="attached")
        bob.keyboard.press("a")  # approve
        expect(bob.locator("p.notice").first).to_contain_text("Approved.")
        approved = served.store.get(item.id)
        assert [a["who"] for a in approvals.current(approved.payload)] == ["bob"]
        assert approvals.missing(approved.payload, served.ws.policy) == []
        bob.screenshot(path=str(artifacts / "review-approved.png"), full_page=True)
        bob.goto(f"{served.url}/exceptions")
        expect(bob.locator("nav.views a:has-text('Waiting for my approval') .count")).to_have_text("0")
        held = [(e.actor, e.action) for e in served.store.journal(item.id) if e.action.startswith("hold")]
        assert held[:2] == [("alice", "hold"), ("bob", "hold-refused")]
    finally:
        alice.context.close()
        bob.context.close()


def test_a_click_on_a_word_fills_the_focused_field_and_enter_confirms(page, served):
    item = totals_items(served)[-1]
    sign_in(page, served.url, "alice", then=f"/items/{item}?list={quote(LIST, safe='')}")
    words = page.locator("rect.word")
    expect(words.first).to_be_attached()
    page.wait_for_selector("body[data-keys=on]", state="attached")
    wanted = (fields_of(served, item).get("invoice_number") or {}).get("value") or words.nth(3).get_attribute(
        "data-word"
    )
    page.fill("input#find-text", wanted.lower())  # the viewer's search lights the words, whatever the case
    expect(page.locator("#find-count")).not_to_have_text("0 found")
    expect(page.locator("rect.word.found").first).to_be_attached()
    assert all(
        wanted.lower() in w.lower()
        for w in page.locator("rect.word.found").evaluate_all("rects => rects.map(r => r.dataset.word)")
    )
    page.fill("input#find-text", "")
    page.click("form#review input[name='set.buyer_name']")
    word = page.locator("rect.word").nth(0)
    text = word.get_attribute("data-word")
    word.click(force=True)
    expect(page.locator("form#review input[name='set.buyer_name']")).to_have_value(text)
    page.locator("form#review input[name='set.buyer_name']").fill("")
    seller = fields_of(served, item)["seller_name"]  # a box dragged over the seller's name reads it
    sheet, size = page.locator(".sheet").first.bounding_box(), page.locator("svg.boxes").first.get_attribute("viewBox")
    scale = sheet["width"] / float(size.split()[2])
    x0, top, x1, bottom = seller["bbox"]
    page.locator("form#review input[name='set.buyer_name']").focus()
    page.mouse.move(sheet["x"] + (x0 - 3) * scale, sheet["y"] + (top - 3) * scale)
    page.mouse.down()
    page.mouse.move(sheet["x"] + (x0 + x1) / 2 * scale, sheet["y"] + (top + bottom) / 2 * scale, steps=4)
    page.mouse.move(sheet["x"] + (x1 - 1) * scale, sheet["y"] + (bottom + 2) * scale, steps=4)
    page.mouse.up()
    expect(page.locator("form#review input[name='set.buyer_name']")).to_have_value(seller["value"])
    page.locator("form#review input[name='set.buyer_name']").fill("")
    before = page.url
    page.locator("form#review input[name='set.seller_name']").press("Enter")  # nothing changed: confirm all
    expect(page).not_to_have_url(before)
    reviewed = served.store.get(item).payload
    assert reviewed.get("confirmed", {}).get("seller_name") == "alice"
    assert not reviewed.get("corrections")  # confirming changes no value


def fields_of(served, item: int) -> dict:
    return served.store.get(item).payload["document"]["fields"]


def test_zoom_and_rotate_change_the_page_and_a_wrong_password_keeps_name_and_page(page, served):
    item = totals_items(served)[-1]
    then = f"/items/{item}"
    page.goto(f"{served.url}{then}")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", "not her password")
    page.click("button:has-text('Sign in')")
    expect(page.locator("p.error")).to_be_visible()
    expect(page.locator("input[name=name]")).to_have_value("alice")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(PASSWORDS["alice"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{served.url}{then}")
    sheet = page.locator(".sheet").first
    width = sheet.bounding_box()["width"]
    page.click("button[data-zoom='1']")
    expect(page.locator(".zoom-level")).to_have_text("125%")
    assert sheet.bounding_box()["width"] > width * 1.2
    page.click("button[data-rotate]")
    box = sheet.bounding_box()
    assert box["height"] < box["width"]  # a portrait page turned on its side


def test_without_javascript_confirm_and_next_still_saves_and_moves_on(browser, served):
    item = totals_items(served)[-1]
    held_by = served.store.holders().get(item)
    if held_by:  # an earlier test's "Confirm and next" opened it for its reviewer, who held it
        served.store.hold(item, held_by, seconds=0)
    context = browser.new_context(viewport={"width": 1024, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, served.url, "bob", then=f"/items/{item}")
        expect(page.locator(".viewer-tools")).to_be_hidden()  # the viewer's buttons need JavaScript
        page.fill("form#review input[name='set.lines[1].quantity']", "4")
        page.fill("form#review input[name=why]", "the delivery note says four")
        page.click("form#review button:has-text('Confirm and next')")
        expect(page.locator("p.notice:not(.held)").first).to_contain_text(f"Item #{item}: Reviewed")
        assert f"/items/{item}?" not in page.url
        corrected = served.store.get(item).payload
        assert corrected["document"]["lines"][1]["quantity"] == "4"
        assert corrected["corrections"][-1]["field"] == "lines[1].quantity"
    finally:
        context.close()


def test_a_scans_words_arrive_after_the_page_and_can_be_found(page, served):
    import io

    from backoffice.demo import scans
    from backoffice.queue import NewItem

    source = served.store.get(totals_items(served)[0])
    picture = io.BytesIO()
    scans.pages(served.ws.files.path(source.files[0]), "scan")[0].save(picture, format="PNG", dpi=(200, 200))
    stored = served.ws.files.put_bytes(picture.getvalue(), "scanned-invoice.png")
    item, _ = served.store.enqueue(NewItem("invoices", "test:scan-words", {"file": stored.name}, files=[stored]))
    sign_in(page, served.url, "alice", then=f"/items/{item.id}")
    expect(page.locator("figure[data-words-loaded]")).to_have_count(1, timeout=60_000)  # OCR: seconds
    assert int(page.locator("figure[data-words-loaded]").get_attribute("data-words-loaded")) > 20
    seller = source.payload["document"]["fields"]["seller_name"]["value"].split()[0]
    page.fill("input#find-text", seller)
    expect(page.locator("rect.word.found").first).to_be_attached()
