"""The field ranker: the training command runs on a tiny sample and writes a model that reads back
the same scores LightGBM gives; calibration; the varied generator; reading with and without a model."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from backoffice.demo import varied, varied_totals, varied_traits
from backoffice.documents import extract
from backoffice.documents.pdf import read_words
from backoffice.documents.ranker import features, model, train


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The training command on eight generated invoices, six trees per field."""
    out = tmp_path_factory.mktemp("ranker") / "model.json.gz"
    train.main(["--documents", "8", "--trees", "6", "--seed", "3", "--out", str(out)])
    return out


def test_training_writes_a_model_that_loads(tiny):
    data = json.loads(gzip.decompress(tiny.read_bytes()))
    assert data["features"] == features.NAMES and data["trained_on"] == ["generated training"]
    assert data["documents"] == 8 and data["seed"] == 3
    assert 0.0 <= data["weak_ceiling"] < 1.0  # a share right (the lower end of its interval), never certainty
    loaded = model.load(tiny)
    assert loaded is not None and set(loaded.trees) == set(features.FIELDS) - features.RULED


def test_the_same_seed_writes_the_same_file(tiny, tmp_path):
    again = tmp_path / "again.json.gz"
    train.main(["--documents", "8", "--trees", "6", "--seed", "3", "--out", str(again)])
    assert again.read_bytes() == tiny.read_bytes()


def test_packed_trees_score_as_lightgbm_does(tmp_path):
    lightgbm = pytest.importorskip("lightgbm")
    np = pytest.importorskip("numpy")
    rng = random.Random(1)
    rows = [[rng.random() * 10 for _ in range(5)] for _ in range(300)]
    rows = [[rng.choice([0.0, rng.random()])] + row[1:] for row in rows]  # feature 0: the label logic's score
    labels = [float(r[1] + r[3] > 9) for r in rows]
    prior = np.asarray([model.prior(r[0]) for r in rows])
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 7, "verbose": -1, "seed": 1, "num_threads": 1},
        lightgbm.Dataset(np.asarray(rows), np.asarray(labels), init_score=prior),
        num_boost_round=15,
    )
    ours = model.Trees(train.pack(booster)).probability(rows)
    theirs = 1 / (1 + np.exp(-(booster.predict(np.asarray(rows), raw_score=True) + prior)))
    assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) < 1e-9
    assert len({round(p, 6) for p in ours}) > 5  # the trees do split


def test_calibration_is_monotone_and_never_promises_certainty():
    points = [(0.1, False)] * 5 + [(0.3, True), (0.3, False)] + [(0.9, True)] * 8
    curve = train.isotonic(points)
    assert curve["y"] == sorted(curve["y"])
    assert curve["y"][-1] == pytest.approx(train.wilson_lower(9, 9), abs=1e-4)  # 9 right of 9, from 0.3 up
    assert 0.7 < train.wilson_lower(9, 9) < 0.8  # nine values do not make a sure thing
    assert train.wilson_lower(980, 1000) > 0.97 and train.wilson_lower(0, 5) == 0.0
    calibration = model.Calibration(curve)
    assert calibration(0.05) == curve["y"][0] and calibration(0.95) == curve["y"][-1]


def test_a_missing_model_falls_back_to_the_labels(tmp_path, monkeypatch, caplog):
    assert model.load(tmp_path / "none.json.gz") is None
    assert "no field ranker model" in caplog.text
    written = [(p, t) for p, t in varied.write_set(tmp_path, 30, 5) if t["_layout"]["lang"] in ("en", "de")][:4]
    assert written
    monkeypatch.setattr(model, "load", lambda: None)
    for path, truth in written:
        document = extract(path, kind="invoice")
        assert document.fields["grand_total"].value == truth["grand_total"], path.name
        assert {f.method for f in document.fields.values()} <= {"label", "pattern", "table", "computed"}


def test_generated_documents_print_their_truth(tmp_path):
    for path, truth in varied.write_set(tmp_path, 4, 11) + varied.write_set(tmp_path, 4, 11, varied.HELD_OUT):
        text = " ".join(w.text for w in read_words(path).words())
        for name in ("invoice_number", "seller_name", "buyer_name"):
            assert truth[name] in text, (path.name, name)
        assert json.loads(path.with_name(path.name + ".truth.json").read_text()) == truth


def test_held_out_documents_carry_a_trait_training_never_shows():
    rng = random.Random(2)
    for _ in range(40):
        training = varied.make_spec(rng, varied.TRAINING)
        assert training.lang not in varied.HELD_OUT_LANGUAGES and training.font != "mono"
        assert training.meta != "grid" and training.totals != "sentence"
        held = varied.make_spec(rng, varied.HELD_OUT)
        assert (
            held.lang in varied.HELD_OUT_LANGUAGES
            or held.font == "mono"
            or held.meta == "grid"
            or held.totals == "sentence"
        )


def test_the_shipped_model_reads_held_out_invoices(tmp_path):
    assert model.load() is not None, "the package ships backoffice/documents/ranker/model.json.gz"
    right = 0
    for path, truth in varied.write_set(tmp_path, 5, 21, varied.HELD_OUT):
        document = extract(path, kind="invoice")
        printed = " ".join(w.text for w in read_words(path).words())
        for found in document.fields.values():  # every value comes with where it was printed
            assert 0.0 <= found.confidence <= 1.0 and found.bbox is not None and found.text in printed
        right += document.fields["grand_total"].value == truth["grand_total"]
    assert right >= 3  # a broken or stale model gets next to none (it reads about nine in ten)


def test_ocr_renderings_are_read_once_and_then_taken_from_the_cache(tmp_path, monkeypatch):
    cache = tmp_path / "ocr"
    examples = train.generated_examples(1, 5, ocr_share=1.0, cache=cache)
    assert [e.name.endswith("#ocr") for e in examples] == [False, True]
    assert len(list(cache.glob("*.json"))) == 1
    read = examples[1].table["grand_total"][0]
    assert any(c.value == examples[1].truth["grand_total"] for c in read)  # OCR's words hold the total

    def no_ocr(*args, **kwargs):
        raise AssertionError("read by OCR again instead of from the cache")

    monkeypatch.setattr("backoffice.demo.scans.read_scanned", no_ocr)
    again = train.generated_examples(1, 5, ocr_share=1.0, cache=cache)
    assert [c.value for c in again[1].table["grand_total"][0]] == [c.value for c in read]


def test_an_ocr_reading_made_by_other_ocr_code_is_read_again(tmp_path, monkeypatch):
    cache = tmp_path / "ocr"
    train.generated_examples(1, 5, ocr_share=1.0, cache=cache)
    monkeypatch.setattr(train, "ocr_fingerprint", lambda: "another tesseract")
    train.generated_examples(1, 5, ocr_share=1.0, cache=cache)
    assert len(list(cache.glob("*.json"))) == 2


def test_scans_read_by_worker_processes_follow_their_documents(tmp_path):
    examples = train.generated_examples(2, 5, ocr_share=1.0, cache=tmp_path / "ocr", jobs=2)
    names = [e.name for e in examples]
    assert names == [names[0], f"{names[0]}#ocr", names[2], f"{names[2]}#ocr"] and names[0] != names[2]
    for document, scan in (examples[0:2], examples[2:4]):
        assert scan.truth == document.truth
        assert any(c.value == document.truth["grand_total"] for c in scan.table["grand_total"][0])


def _candidate(field, value, score, top, rate=None, method="label"):
    from backoffice.documents.candidates import Candidate
    from backoffice.documents.pdf import Word

    return Candidate(field, value, [Word(value, 400.0, top, 450.0, top + 8, 1)], score, method, rate)


def test_a_tax_at_its_printed_rate_of_the_net_is_kept_when_the_grand_total_disagrees():
    from backoffice.documents.ranker import pick

    scored = {
        "net_total": [_candidate("net_total", "8757.80", 0.9, 500)],
        "tax_total": [
            _candidate("tax_total", "437.89", 0.011, 510, rate="5"),  # 5% of 8757.80, the ranker unsure
            _candidate("tax_total", "12.00", 0.3, 300, method="shape"),
        ],
        "grand_total": [_candidate("grand_total", "9295.69", 0.9, 520)],  # misprinted: 100.00 too much
    }
    chosen = pick.choose(scored)
    assert chosen["tax_total"][0].value == "437.89" and chosen["net_total"][0].value == "8757.80"
    assert chosen["grand_total"][1] == "grand_total|doubt"  # the totals still do not add up: never sure
    scored["tax_total"][0].rate = "20"  # not its printed rate of the net: the ranker's best stands
    assert pick.choose(scored)["tax_total"][0].value == "12.00"


def test_a_labelled_amount_due_stands_for_a_grand_total_no_label_names():
    from backoffice.documents.ranker import pick

    scored = {
        "grand_total": [_candidate("grand_total", "367.25", 0.45, 400, method="shape")],  # "billed to date"
        "amount_due": [_candidate("amount_due", "103.78", 0.97, 300)],  # "Amount due now $103.78"
    }
    chosen = pick.choose(scored)
    assert chosen["grand_total"][0].value == "103.78"
    assert "grand_total" in pick.weak(scored, chosen)  # no label names it a total: never sure
    paid = {
        "grand_total": [_candidate("grand_total", "367.25", 0.45, 400, method="shape")],
        "amount_due": [_candidate("amount_due", "0.00", 0.97, 300)],
    }  # nothing left to pay: no total
    assert pick.choose(paid)["grand_total"][0].value == "367.25"
    scored["grand_total"].append(_candidate("grand_total", "99.00", 0.3, 420))  # a labelled total is read as printed
    del scored["grand_total"][1:-1]
    assert pick.choose(scored)["grand_total"][0].value == "367.25"


def test_a_labelled_value_of_an_optional_field_outweighs_an_unlabelled_guess_too_unlikely_to_give():
    from backoffice.documents.ranker import pick

    scored = {
        "amount_due": [
            _candidate("amount_due", "858.75", 0.38, 400, method="shape"),  # a net total, by its shape
            _candidate("amount_due", "521.91", 0.3, 500),  # "Zahlbetrag 521,91", after a prepayment
        ],
    }
    chosen = pick.choose(scored)
    assert chosen["amount_due"][0].value == "521.91"
    assert "amount_due" in pick.weak(scored, chosen)  # the guess scored about as high: never sure
    scored["amount_due"][0] = _candidate("amount_due", "858.75", 0.6, 400, method="shape")  # likely enough
    # ... but the page calls the other one due: an amount due is what its label says
    assert pick.choose(scored)["amount_due"][0].value == "521.91"
    dates = {
        "due_date": [
            _candidate("due_date", "2024-05-02", 0.6, 400, method="shape"),
            _candidate("due_date", "2024-04-12", 0.3, 500),
        ]
    }
    assert pick.choose(dates)["due_date"][0].value == "2024-05-02"  # another field: the likely guess stays
    scored["amount_due"] = [
        _candidate("amount_due", "858.75", 0.38, 400, method="shape"),
        _candidate("amount_due", "521.91", 0.05, 500),
    ]  # the labelled one too unlikely
    assert "amount_due" not in pick.choose(scored)


def test_an_amount_the_page_calls_due_outweighs_an_unlabelled_total_deemed_due():
    """A hotel folio: "Totals 793.30" (charges) and "Balance due €593.30" after a deposit. The
    model likes the total as the amount due; the labelled amount, likely enough (a "Zahlbetrag" after
    "abzüglich Anzahlung" scored 0.24), is given, never sure."""
    from backoffice.documents.ranker import pick

    scored = {
        "amount_due": [
            _candidate("amount_due", "793.30", 0.985, 400, method="shape"),
            _candidate("amount_due", "593.30", 0.24, 500),
        ],
    }
    chosen = pick.choose(scored)
    assert chosen["amount_due"][0].value == "593.30"
    assert "amount_due" in pick.weak(scored, chosen)
    scored["amount_due"][1] = _candidate("amount_due", "593.30", 0.1, 500)  # the label's value too unlikely
    assert pick.choose(scored)["amount_due"][0].value == "793.30"


def test_values_no_label_names_or_with_a_close_rival_are_never_sure():
    from backoffice.documents.ranker import pick

    scored = {
        "issue_date": [_candidate("issue_date", "2024-03-12", 0.99, 100, method="shape")],  # by its place alone
        "invoice_number": [
            _candidate("invoice_number", "A-1", 0.95, 90),
            _candidate("invoice_number", "B-2", 0.9, 120),  # about as likely
        ],
        "order_reference": [
            _candidate("order_reference", "PO-7", 0.95, 95),
            _candidate("order_reference", "PO-7", 0.2, 300, method="shape"),  # the same value again
        ],
    }
    chosen = pick.choose(scored)
    weak = pick.weak(scored, chosen)
    assert weak == {"issue_date", "invoice_number"}
    data = {"features": features.NAMES, "fields": {}, "calibrations": {"issue_date": {"x": [0.0], "y": [0.99]}}}
    fields = pick.fields_of(model.Model(data), chosen, weak)
    assert fields["issue_date"].confidence == pick.WEAK_CONFIDENCE  # a model that says nothing of weak values
    data["weak_ceiling"] = 0.62  # what such values were right out of fold, as training measured it
    assert pick.fields_of(model.Model(data), chosen, weak)["issue_date"].confidence == 0.62


def test_training_documents_show_what_defeated_the_reader_on_real_invoices():
    """Buyers as persons or in capitals, window blocks on the right, the due date in a sentence or
    only as terms (then no due date is to be read), the amount due among the details, dated item rows."""
    rng = random.Random(4)
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(300)]
    seen = {
        "window_right": any(s.extras.get("window_right") for s in specs),
        "terms": any(s.extras.get("terms") and s.due is None for s in specs),
        "due_sentence": any(s.extras.get("due_sentence") and s.due for s in specs),
        "due_in_details": any(s.extras.get("due_in_details") for s in specs),
        "item_dates": any(s.extras.get("item_dates") for s in specs),
        "capitals": any(s.buyer[0].isupper() for s in specs),
        "person": any(s.buyer[0] in varied_traits.PEOPLE for s in specs),
    }
    assert all(seen.values()), seen
    held = [varied.make_spec(rng, varied.HELD_OUT) for _ in range(40)]
    assert not any(s.extras.get("window_right") or s.extras.get("terms") for s in held)  # the held-out family as it was


def test_terms_without_a_date_print_no_due_date(tmp_path):
    written = varied.write_set(tmp_path, 40, 8)
    for path, truth in written:
        text = " ".join(w.text for w in read_words(path).words())
        if truth["due_date"] is None:
            assert not any(s in text for s in ("due on", "pay before", "amount by")), path.name
    assert any(t["due_date"] is None for _, t in written) and any(t["due_date"] for _, t in written)


def test_training_documents_show_party_blocks_as_real_invoices_print_them():
    """Headings the vocabulary does not know, "LAST, FIRST" account holders, a department over the
    buyer's name, tax status lines, web and mail domains, a logo word heading the page."""
    rng = random.Random(5)
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(400)]
    unknown = set(varied_traits.UNKNOWN_HEADINGS["buyer"])
    seen = {
        "unknown_heading": any(s.words["buyer"] in unknown for s in specs),
        "last_first": any("," in s.buyer[0] and s.buyer[0].isupper() for s in specs),
        "department": any(s.extras.get("buyer_name") and s.buyer[1] == s.extras["buyer_name"] for s in specs),
        "status": any(len(s.buyer) > 1 and s.buyer[1] in varied_traits.STATUS_LINES for s in specs),
        "web": any(s.extras.get("web") for s in specs),
        "buyer_mail": any("@" in s.buyer[-1] for s in specs),
        "logo": any(s.extras.get("logo") for s in specs),
        "stub": any(s.extras.get("stub") for s in specs),
    }
    assert all(seen.values()), seen
    department = next(s for s in specs if s.extras.get("buyer_name"))
    assert varied.truth(department)["buyer_name"] == department.buyer[1]  # the company, not its department


def test_every_invoice_is_dated_however_unsure_the_ranker_is():
    from backoffice.documents.candidates import Candidate
    from backoffice.documents.pdf import Word
    from backoffice.documents.ranker import pick
    from backoffice.documents.ranker.features import FIELDS

    word = Word("16.02.2017", 300, 200, 350, 210, 1, 10.0)
    scored = {name: [] for name in FIELDS}
    scored["issue_date"] = [Candidate("issue_date", "2017-02-16", [word], 0.05, "shape")]
    scored["due_date"] = [Candidate("due_date", "2017-02-16", [word], 0.05, "shape")]
    chosen = pick.choose(scored)
    assert chosen["issue_date"][0].value == "2017-02-16"
    assert "due_date" not in chosen  # many invoices print none: an unsure one is not given


def test_training_documents_print_the_sellers_order_beside_the_buyers_and_payment_schedules(tmp_path):
    """The seller's own order number beside the buyer's order (the order reference is the buyer's),
    the amount due printed only in a payment schedule; neither in the held-out family."""
    rng = random.Random(6)
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(300)]
    ours = [s for s in specs if s.extras.get("seller_order")]
    schedules = [s for s in specs if s.extras.get("schedule")]
    assert ours and schedules
    assert all(s.extras["seller_order"][1] != s.order for s in ours)
    assert all(varied.truth(s)["amount_due"] is not None and not s.extras["due_amount"] for s in schedules)
    held = [varied.make_spec(rng, varied.HELD_OUT) for _ in range(40)]
    assert not any(s.extras.get("seller_order") or s.extras.get("schedule") for s in held)
    path = tmp_path / "schedule.pdf"
    varied.render(schedules[0]).output(str(path))
    text = " ".join(w.text for w in read_words(path).words())
    assert varied_totals.SCHEDULE[schedules[0].lang][3] in text  # the way of paying, in the schedule's row


def test_features_say_whose_order_and_which_amount_a_payment_schedule_asks_for(make_pdf):
    from backoffice.documents.invoice import Reader, gather
    from backoffice.documents.line_items import read_lines

    path = make_pdf(
        [
            (20, 20, "Ordernr."),
            (60, 20, "4550219"),
            (20, 26, "Uw bestelling"),
            (60, 26, "3389"),
            (20, 80, "Vervaldatum", 8, "B"),
            (60, 80, "Betaalwijze", 8, "B"),
            (100, 80, "Bedrag", 8, "B"),
            (20, 86, "15.12.2022"),
            (60, 86, "Overschrijving"),
            (100, 86, "74,70"),
        ]
    )
    reader = Reader(read_words(path))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    table = features.table(reader, gather(reader, items, headers, every=True), None)
    at = {name: features.NAMES.index(name) for name in ("yours_elsewhere", "due_row")}
    orders = dict(zip((c.value for c in table["order_reference"][0]), table["order_reference"][1], strict=True))
    assert orders["4550219"][at["yours_elsewhere"]] == 1.0 and orders["3389"][at["yours_elsewhere"]] == 0.0
    dues = dict(zip((c.value for c in table["amount_due"][0]), table["amount_due"][1], strict=True))
    assert dues["74.70"][at["due_row"]] == 1.0


def test_a_person_chosen_as_buyer_gives_way_to_the_company_right_above_in_the_block():
    """``Ma jolie boutique`` (its domain printed) over ``Alexandre Payet``; ``SCI Les Terrasses``
    (a legal form) over ``Monsieur Olivier Garnier``; a label or a line far above never takes over."""
    from backoffice.documents.ranker import pick
    from backoffice.documents.ranker.features import FIELDS

    def scored(company, person_score=0.8, gap=2.0):
        found = {name: [] for name in FIELDS}
        found["buyer_name"] = [
            _candidate("buyer_name", "Alexandre Payet", person_score, 110.0, method="address"),
            _candidate("buyer_name", company, 0.1, 110.0 - 8 - gap, method="address"),
        ]
        return found

    shop = pick.choose(scored("Ma jolie boutique"), frozenset({"majolieboutique"}))["buyer_name"][0]
    assert (shop.value, shop.score) == ("Ma jolie boutique", 0.8)
    assert pick.choose(scored("SCI Les Terrasses"))["buyer_name"][0].value == "SCI Les Terrasses"
    assert pick.choose(scored("Ma jolie boutique"))["buyer_name"][0].value == "Alexandre Payet"  # no domain says so
    assert pick.choose(scored("Buyer contact name"), frozenset({"buyer"}))["buyer_name"][0].value == "Alexandre Payet"
    assert pick.choose(scored("SCI Les Terrasses", gap=30))["buyer_name"][0].value == "Alexandre Payet"


def test_a_line_to_someones_attention_or_a_department_gives_way_to_the_party_above_it():
    """``Eetcafé De Gouden Leeuw V.O.F.`` over ``t.a.v. de heer M. Jansen``; ``Fondation Les
    Tilleuls`` (no legal form, shaped like a person's name) over ``EMS Les Tilleuls – Administration``."""
    from backoffice.documents.ranker import pick
    from backoffice.documents.ranker.features import FIELDS

    def chosen(company, contact):
        found = {name: [] for name in FIELDS}
        found["buyer_name"] = [
            _candidate("buyer_name", contact, 0.5, 110.0, method="address"),
            _candidate("buyer_name", company, 0.3, 100.0, method="address"),
        ]
        return pick.choose(found)["buyer_name"][0].value

    assert chosen("Eetcafé De Gouden Leeuw V.O.F.", "t.a.v. de heer M. Jansen") == "Eetcafé De Gouden Leeuw V.O.F."
    assert chosen("Fondation Les Tilleuls", "EMS Les Tilleuls – Administration") == "Fondation Les Tilleuls"
    assert chosen("Fondation Les Tilleuls", "EMS Les Tilleuls") == "EMS Les Tilleuls"  # no department, no contact
    assert chosen("14 Chemin des Tilleuls", "EMS Les Tilleuls – Administration") == "EMS Les Tilleuls – Administration"


def test_a_fuller_form_of_the_chosen_name_printed_elsewhere_is_given():
    """The brand over the legal name (``LumenHarbor`` / ``Lumen Harbor Pte. Ltd.``), the sender
    line's short form of the letterhead's name; never a sentence that ends with the name."""
    from backoffice.documents.ranker import pick
    from backoffice.documents.ranker.features import FIELDS

    def chosen(short, long, long_score=0.35):
        found = {name: [] for name in FIELDS}
        found["seller_name"] = [
            _candidate("seller_name", short, 0.9, 50.0, method="letterhead"),
            _candidate("seller_name", long, long_score, 80.0, method="address"),
        ]
        return pick.choose(found)["seller_name"][0]

    brand = chosen("LumenHarbor", "Lumen Harbor Pte. Ltd.")
    assert (brand.value, brand.score) == ("Lumen Harbor Pte. Ltd.", 0.9)
    long = "Zahnarztpraxis Dr. med. dent. Sabine Hoffmann"
    assert chosen("Zahnarztpraxis Dr. Hoffmann", long).value == long
    assert chosen("Zahnarztpraxis Dr. Hoffmann", long, long_score=0.1).value == "Zahnarztpraxis Dr. Hoffmann"
    sentence = "Goods remain the property of Ardmore Catering Supplies Ltd"
    assert chosen("Ardmore Catering Supplies Ltd", sentence).value == "Ardmore Catering Supplies Ltd"
    assert chosen("Ardmore Catering", "Ardmore Catering Supplies Ltd").value == "Ardmore Catering Supplies Ltd"
    found = {name: [] for name in FIELDS}
    found["seller_name"] = [
        _candidate("seller_name", "ArdmoreDental", 0.9, 50.0, method="letterhead"),
        _candidate("seller_name", "Ardmore Dental Practice Ltd", 0.35, 80.0, method="address"),
    ]
    found["buyer_name"] = [_candidate("buyer_name", "Ardmore Dental Practice Ltd", 0.9, 80.0, method="address")]
    assert pick.choose(found)["seller_name"][0].value == "ArdmoreDental"  # the fuller form is the other party
