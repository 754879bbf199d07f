"""The item page in real Chromium shows the current state: cancel and reject ask first (a JS
dialog, or the "yes" box without JavaScript), every action answers with a redirect so a reload
never posts again, a refusal is shown once, and a rejected item offers no Retry or Correct."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from backoffice.queue.base import Status
from tests.integration.web.test_ui_chromium import sign_in

pytestmark = pytest.mark.integration


def exception_items(served) -> list[int]:
    return [i.id for i in served.store.list(status=Status.EXCEPTION) if i.payload.get("document")]


def tab(browser, *, javascript: bool = True, accept: bool = True) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda d: d.accept() if accept else d.dismiss())
    return page


def test_cancel_asks_first_and_a_dismissed_dialog_posts_nothing(page, served):
    item = exception_items(served)[0]
    sign_in(page, served.url, "alice", then=f"/items/{item}")
    before = len(served.store.journal(item))
    page.click("form.confirm button:has-text('Cancel')")  # the fixture's page dismisses every dialog
    expect(page.locator("h1 .status")).to_have_text("exception")
    assert page.dialogs == [f"Cancel item #{item}? Nothing will be posted."]  # type: ignore[attr-defined]
    assert served.store.get(item).status == Status.EXCEPTION and len(served.store.journal(item)) == before


def test_an_accepted_reject_redirects_and_the_rejected_item_offers_no_retry_or_correct(browser, served):
    item = exception_items(served)[1]
    page = tab(browser)
    try:
        sign_in(page, served.url, "bob", then=f"/items/{item}")
        page.fill("form[action$='/reject'] input[name=why]", "not one of our orders")
        page.click("form[action$='/reject'] button:has-text('Reject')")
        expect(page).to_have_url(f"{served.url}/items/{item}?done=reject")
        expect(page.locator("p.notice").first).to_contain_text("Rejected.")
        assert served.store.get(item).status == Status.REJECTED
        expect(page.locator("h1 .status")).to_have_text("rejected")
        expect(page.locator(".reason-box")).to_have_text("rejected not one of our orders")
        for label in ("Retry", "Approve", "Cancel", "Reject", "Correct and re-run the rules"):
            expect(page.locator(f"button:has-text('{label}')")).to_have_count(0)
        expect(page.locator(".why-not")).to_have_count(0)  # final: the status says why, not a hint per button
        page.reload()  # a redirect answered the POST: reloading posts nothing
        assert [e.action for e in served.store.journal(item)].count("reject") == 1
    finally:
        page.context.close()


def test_without_javascript_the_yes_box_confirms_and_a_refusal_is_shown_once(browser, served):
    item = exception_items(served)[2]
    page = tab(browser, javascript=False)
    try:
        sign_in(page, served.url, "alice", then=f"/items/{item}")
        page.click("form.confirm button:has-text('Cancel')")  # "yes" not ticked
        expect(page).to_have_url(f"{served.url}/items/{item}")
        expect(page.locator("p.error")).to_contain_text("cancel needs a confirmation")
        assert served.store.get(item).status == Status.EXCEPTION
        journal = len(served.store.journal(item))
        page.reload()  # the refusal was answered by a redirect: nothing is posted again, the message is gone
        expect(page.locator("p.error")).to_have_count(0)
        assert len(served.store.journal(item)) == journal

        page.fill("form.correct input[name='set.grand_total']", "twelve")
        page.fill("form.correct input[name=why]", "typo")
        page.click("button:has-text('Correct and re-run the rules')")
        expect(page).to_have_url(f"{served.url}/items/{item}")
        expect(page.locator("p.error")).to_contain_text("grand_total must be an amount")

        page.check("form[action$='/cancel'] input[name=confirm]")
        page.click("form.confirm button:has-text('Cancel')")
        expect(page).to_have_url(f"{served.url}/items/{item}?done=cancel")
        expect(page.locator("h1 .status")).to_have_text("cancelled")
    finally:
        page.context.close()


def press(page: Page, key: str) -> None:
    page.wait_for_selector("body[data-keys=on]", state="attached")  # the page's script listens
    page.keyboard.press(key)


def test_the_keyboard_works_through_the_list(page, served):
    sign_in(page, served.url, "alice", then="/exceptions?status=exception&sort=oldest")
    ids = [int(t.removeprefix("#")) for t in page.locator("table.items tbody td a").all_inner_texts()[:3]]
    page.click(f"table.items a:text-is('#{ids[0]}')")
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[0]}")
    expect(page.locator("#keys-hint")).to_contain_text("j/k next/previous")
    press(page, "j")
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[1]}")
    press(page, "k")
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[0]}")
    press(page, "j")
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[1]}")
    expect(page.locator("#keys-help")).to_be_hidden()
    press(page, "?")
    expect(page.locator("#keys-help")).to_be_visible()
    press(page, "e")
    focused = page.locator("form.correct input:focus")
    expect(focused).to_have_count(1)  # the first failing field's new value (or the first field's)
    assert focused.get_attribute("name").startswith("set.")
    page.keyboard.type("j")  # typed into the field: not a shortcut
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[1]}")
    focused.fill("")
    page.locator("h1").click()  # out of the field again
    retried = ids[1]
    press(page, "r")  # retry: on to the next item of the list
    expect(page.locator("h1")).to_contain_text(f"Item #{ids[2]}")
    expect(page.locator("p.notice").first).to_contain_text(f"Item #{retried}: Sent back to the queue.")
    assert served.store.get(retried).status == Status.PENDING
    assert "list=" in page.url and "sort%3Doldest" in page.url


def test_the_bulk_bar_counts_the_selection_and_stays_in_view(page, served):
    page.set_viewport_size({"width": 1024, "height": 500})
    sign_in(page, served.url, "alice", then="/exceptions?status=all&sort=amount")
    count = page.locator("form.bulk output.selected")
    expect(count).to_have_text("(0 selected)")
    page.check("input[data-select-all]")
    rows = page.locator("table.items input[name=ids]").count()
    expect(count).to_have_text(f"({rows} selected)")
    page.locator("table.items input[name=ids]").first.uncheck()
    expect(count).to_have_text(f"({rows - 1} selected)")
    page.mouse.wheel(0, 2000)
    page.wait_for_function("() => window.scrollY > 200")
    bar = page.locator("form.bulk").bounding_box()
    assert bar is not None and 0 <= bar["y"] < 5  # sticky: still at the top after scrolling
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1024, f"the list is {width}px wide at 1024px"


def test_the_item_page_fits_1024_pixels(page, served):
    page.set_viewport_size({"width": 1024, "height": 700})
    item = exception_items(served)[-1]
    sign_in(page, served.url, "alice", then=f"/items/{item}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1024, f"the item page is {width}px wide at 1024px"
    table = page.locator("form.correct table.correct-fields").bounding_box()
    side = page.locator(".side").bounding_box()
    assert table and side and table["x"] + table["width"] <= side["x"] + side["width"] + 1  # not clipped
    caption = page.locator(".pages figcaption").last
    caption.scroll_into_view_if_needed()
    expect(caption).to_be_in_viewport()  # the page image's footer can be reached in the viewer


def test_two_supervisors_the_second_sees_who_holds_the_item_until_the_first_leaves_it(browser, served):
    item = exception_items(served)[0]  # still waiting: the first test dismissed its cancel
    alice, bob = tab(browser), tab(browser)
    try:
        sign_in(alice, served.url, "alice", then=f"/items/{item}")
        expect(alice.locator(".held-by-me")).to_contain_text("You hold this item")
        sign_in(bob, served.url, "bob", then=f"/items/{item}")
        expect(bob.locator("p.held")).to_contain_text("Held by alice")
        for label in ("Cancel", "Reject", "Correct and re-run the rules"):
            expect(bob.locator(f"button:has-text('{label}')")).to_have_count(0)
        expect(bob.locator("form[action$='/comment'] button")).to_have_count(1)  # a comment is still his to make
        # a page opened before alice took it still shows Cancel: the server refuses it, naming her
        answer = bob.request.post(f"{served.url}/items/{item}/cancel", headers={"accept": "application/json"},
                                  form={"csrf": bob.locator("input[name=csrf]").first.input_value(), "confirm": "1"})  # fmt: skip
        assert answer.status == 409 and "alice is reviewing item" in answer.json()["error"]
        bob.goto(f"{served.url}/exceptions?status=exception")
        expect(bob.locator(f"tr:has(a:text-is('#{item}')) .held")).to_have_text("held by alice")
        alice.click("button:has-text('Leave it to others')")
        bob.goto(f"{served.url}/items/{item}")
        expect(bob.locator(".held-by-me")).to_contain_text("You hold this item")
        expect(bob.locator("form.confirm button:has-text('Cancel')")).to_have_count(1)
        assert served.store.holders().get(item) == "bob" and served.store.get(item).status == Status.EXCEPTION
    finally:
        alice.context.close()
        bob.context.close()
