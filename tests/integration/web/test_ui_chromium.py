"""The supervisor UI in real Chromium: sign in, filter the exception queue, open an item, see
the failing field on the page image, correct it, approve (four eyes), retry and see it done;
a bulk retry with its preview; a viewer who cannot act; a form without its CSRF token
refused; markup in a mail subject and a file name shown as text. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from backoffice.bots import Runner
from backoffice.queue.base import Status
from tests.integration.web.conftest import PASSWORDS, SCRIPT_NAME, SCRIPT_SUBJECT

pytestmark = pytest.mark.integration


def sign_in(page: Page, url: str, name: str, then: str = "/") -> None:
    page.goto(f"{url}{then}")
    expect(page).to_have_url(f"{url}/login?next={quote(then, safe='')}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button:has-text('Sign in')")
    expect(page.locator(".who")).to_contain_text(name)


def sign_out(page: Page) -> None:
    page.click("button:has-text('Sign out')")
    expect(page.locator("h1")).to_have_text("Sign in")


def test_supervisors_correct_approve_and_retry_an_item_until_it_is_done(page, served, artifacts):
    sign_in(page, served.url, "alice")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator(".counts")).to_contain_text("invoices")
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

    page.click("nav >> text=Exception queue")
    page.fill("input[name=reason]", "rule:totals-add-up")
    page.click("button:has-text('Filter')")
    rows = page.locator("table.items tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("does not equal the total")
    page.screenshot(path=str(artifacts / "exception-queue.png"), full_page=True)

    item = next(i for i in served.store.list(status=Status.EXCEPTION) if i.error_code == "rule:totals-add-up"
                and Decimal(i.payload["document"]["fields"]["grand_total"]["value"]) > 10_000)  # fmt: skip
    page.click(f"table.items a[href^='/items/{item.id}?list=']")  # the item, in the list it was opened from
    expect(page.locator("h1")).to_contain_text(f"Item #{item.id}")
    image = page.locator(".sheet img").first
    expect(image).to_be_visible()
    page.wait_for_function("() => [...document.querySelectorAll('.sheet img')].every(i => i.complete && i.naturalWidth > 0)")
    failing = page.locator("rect.box.failing[data-field=grand_total]")
    expect(failing).to_be_visible()
    box = failing.bounding_box()
    sheet = page.locator(".sheet").first.bounding_box()
    assert box and sheet and box["width"] > 5 and sheet["x"] < box["x"] < sheet["x"] + sheet["width"]
    expect(page.locator("form.correct tr.failing[data-field=grand_total]")).to_be_visible()
    expect(page.locator("form.correct tr[data-field=grand_total] th")).to_have_text("Grand total")  # readable names
    expect(page.locator("ul.verdicts li.error")).to_contain_text("totals-add-up")
    page.screenshot(path=str(artifacts / "item-page.png"), full_page=True)

    fields = item.payload["document"]["fields"]
    right = Decimal(fields["net_total"]["value"]) + Decimal(fields["tax_total"]["value"])
    suggested = page.locator("form.correct tr[data-field=grand_total] button.fill")
    expect(suggested).to_contain_text(f"{right:,.2f}")  # net + tax, shown beside the field
    suggested.click()  # fills the field
    expect(page.locator("form.correct input[name='set.grand_total']")).to_have_value(str(right))
    page.fill("form.correct input[name=why]", "checked the paper original")
    page.click("button:has-text('Correct and re-run the rules')")
    expect(page.locator(".notice")).to_contain_text("Correction saved")
    expect(page.locator("ul.verdicts li.error")).to_have_count(0)
    expect(page.locator("form.correct tr[data-field=grand_total] .field-status")).to_have_text("corrected")

    # alice corrected it: four eyes, so neither Approve nor Retry is offered to her, and the page says why
    expect(page.locator("section.actions button:has-text('Approve')")).to_have_count(0)
    expect(page.locator("section.actions button:has-text('Retry')")).to_have_count(0)
    expect(page.locator(".why-not")).to_contain_text(["No Approve: four eyes", "needs an approval"])
    sign_out(page)

    sign_in(page, served.url, "bob", then=f"/items/{item.id}")
    page.click("button:has-text('Approve')")
    expect(page.locator(".approval-ok")).to_contain_text("The approvals cover the data")
    expect(page.locator("table.approvals")).to_contain_text("bob")
    page.click("button:has-text('Retry')")
    expect(page.locator("h1 .status")).to_have_text("pending")

    runner = Runner(served.config, served.store, bots=["invoices"])
    try:
        runner.run_once()
    finally:
        runner.close()
    page.reload()
    expect(page.locator("h1 .status")).to_have_text("done")
    journal = page.locator("table.journal")
    for who, what in (("alice", "correct"), ("alice", "rerun-rules"), ("bob", "approve"), ("bob", "retry")):
        expect(journal.locator("tr", has=page.locator(f"td:text-is('{who}')")).filter(
            has=page.locator(f"td:text-is('{what}')"))).to_have_count(1)  # fmt: skip
    stored = served.store.get(item.id)
    assert stored.payload["corrections"][0] | {"at": None} == {
        "who": "alice", "field": "grand_total", "old": fields["grand_total"]["value"], "new": str(right),
        "why": "checked the paper original", "at": None}  # fmt: skip
    assert stored.payload["document_original"]["fields"]["grand_total"]["value"] == fields["grand_total"]["value"]
    assert stored.payload["verdict"]["passed"] and stored.payload["approvals"][0]["who"] == "bob"
    assert [e.state.value for e in served.store.effects(item.id)] == ["done", "done"]  # posted to both targets


def test_bulk_retry_shows_a_preview_before_it_runs(page, served, artifacts):
    sign_in(page, served.url, "alice", then="/exceptions?status=exception&reason=due-after-issue")
    rows = page.locator("table.items tbody tr")
    expect(rows).to_have_count(2)
    ids = [int(v) for v in page.locator("table.items input[name=ids]").evaluate_all("els => els.map(e => e.value)")]
    page.check("input[data-select-all]")  # our JS; the boxes can also be ticked one by one
    page.fill("form.bulk input[name=why]", "vendor sent corrected dates")
    page.click("form.bulk button:has-text('Retry…')")
    expect(page.locator("h1")).to_have_text("Bulk retry: preview")
    preview = page.locator("table.preview tbody tr")
    expect(preview).to_have_count(2)
    touched = [int(t.removeprefix("#")) for t in page.locator("table.preview tr.touch td:first-child").all_inner_texts()]
    skipped = [int(t.removeprefix("#")) for t in page.locator("table.preview tr.skip td:first-child").all_inner_texts()]
    assert sorted(touched + skipped) == sorted(ids) and touched
    page.screenshot(path=str(artifacts / "bulk-preview.png"), full_page=True)
    assert all(served.store.get(i).status == Status.EXCEPTION for i in ids)  # nothing ran yet

    page.click(f"form.confirm button:has-text('Retry {len(touched)} item')")
    expect(page.locator(".notice")).to_contain_text(f"Bulk retry: {len(touched)} item(s) done")
    for item_id in touched:
        assert served.store.get(item_id).status == Status.PENDING
        assert served.store.journal(item_id)[-1].actor == "alice"
        assert served.store.journal(item_id)[-1].why == "vendor sent corrected dates"
    for item_id in skipped:
        assert served.store.get(item_id).status == Status.EXCEPTION


def test_a_viewer_sees_items_but_cannot_act(page, served):
    item = served.store.list(status=Status.EXCEPTION)[0]
    sign_in(page, served.url, "vera", then=f"/items/{item.id}")
    expect(page.locator("h1")).to_contain_text(f"Item #{item.id}")
    expect(page.locator("section.actions")).to_have_count(0)
    expect(page.locator("form.correct")).to_have_count(0)
    page.goto(f"{served.url}/exceptions")
    expect(page.locator("form.bulk")).to_have_count(0)
    csrf = page.locator("form.who input[name=csrf]").input_value()  # her own, valid token
    answer = page.request.post(f"{served.url}/items/{item.id}/retry", form={"csrf": csrf})
    assert answer.status == 403 and "viewer" in answer.text()
    assert served.store.get(item.id).status == Status.EXCEPTION


def test_a_form_posted_without_its_csrf_token_is_refused(page, served):
    item = served.store.list(status=Status.EXCEPTION)[0]
    sign_in(page, served.url, "alice", then=f"/items/{item.id}")
    before = len(served.store.journal(item.id))
    page.evaluate("document.querySelectorAll('form input[name=csrf]').forEach(e => e.remove())")
    page.fill("input[name=text]", "posted without a token")
    page.click("button:has-text('Add comment')")
    expect(page.locator("h1")).to_have_text("Refused")
    expect(page.locator(".error")).to_contain_text("security token")
    assert len(served.store.journal(item.id)) == before
    answer = page.request.post(f"{served.url}/items/{item.id}/comment", form={"text": "x", "csrf": "forged"})
    assert answer.status == 403
    assert len(served.store.journal(item.id)) == before


def test_markup_in_a_subject_and_a_file_name_is_shown_as_text(page, served):
    sign_in(page, served.url, "alice", then=f"/exceptions?reason=intake")
    expect(page.locator("table.items")).to_contain_text(SCRIPT_NAME)
    page.click(f"table.items a[href^='/items/{served.script_item}?list=']")
    expect(page.locator(".mail .subject")).to_have_text(SCRIPT_SUBJECT)
    expect(page.locator(".item-head .name strong")).to_have_text(SCRIPT_NAME)
    expect(page.locator(".evidence")).to_contain_text("<script>trace</script>.html")
    assert page.locator("script:not([src])").count() == 0  # no markup became an element
    assert page.dialogs == []  # type: ignore[attr-defined]
    download = page.request.get(f"{served.url}{page.locator('.evidence a.name').get_attribute('href')}")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment; filename*=utf-8''%3Cscript%3E")
