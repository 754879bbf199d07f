"""A MIME corpus: each message as it really arrives, with the documents or errors expected.

Messages are built with the standard library's email package, or written as raw bytes where
the case is about how mail clients encode things (RFC 2047/2231 names, charsets, broken headers).
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

import pytest

from backoffice.errors import DocumentError
from backoffice.mail import MailLimits, parse_mail
from backoffice.queue.files import FileStore
from tests.unit.mail.conftest import make_pdf

PDF = make_pdf()
OTHER_PDF = make_pdf("Invoice INV-2 Total 20.00 EUR")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def mail(subject: str = "Invoice", body: str = "Please find attached.", **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.get("sender", "Acme Billing <billing@acme.example>")
    message["To"] = "invoices@backoffice.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.get("message_id", "<m1@acme.example>")
    message.set_content(body)
    return message


def picture(width: int, height: int, kind: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


LOGO = picture(120, 40)


def html_mail(html: str, subject: str = "Invoice") -> EmailMessage:
    message = mail(subject, body="Please find attached.")
    message.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    return message


def attach(message: EmailMessage, data: bytes, name: str | None, maintype="application", subtype="pdf", **kw):
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name, **kw)
    return message


def zipped(files: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def raw_with_part(part_headers: str, payload_b64: str, body_charset: str = "utf-8", body: bytes = b"Hello") -> bytes:
    return (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: raw\r\nMessage-ID: <raw@x>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BOUND\r\n\r\n"
        b"--BOUND\r\nContent-Type: text/plain; charset=" + body_charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
        b"--BOUND\r\n" + part_headers.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + payload_b64.encode() + b"\r\n--BOUND--\r\n"
    )


def b64(data: bytes) -> str:
    import base64

    return base64.encodebytes(data).decode()


def forwarded(inner: EmailMessage) -> EmailMessage:
    outer = mail("Fwd: invoice")
    outer.add_attachment(inner)  # message/rfc822
    return outer


def nested_zip(depth: int) -> bytes:
    data = zipped({"invoice.pdf": PDF})
    for level in range(depth):
        data = zipped({f"level{level}.zip": data})
    return data


def encrypted_flag(data: bytes) -> bytes:
    """Mark the (single) member as encrypted, in its local header and in the central directory."""
    data = bytearray(data)
    data[6] |= 0x1
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    return bytes(data)


def bomb() -> bytes:
    return zipped({"huge.pdf": b"%PDF" + b"\x00" * 5_000_000})


def outlook(subject: str, *files: tuple[str, bytes], embedded: tuple | None = None) -> bytes:
    """An Outlook .msg written by aspose-email-foss (an MIT-licensed MS-OXMSG writer); with
    ``embedded`` (``(subject, *files)`` of another message) attached first as an embedded message."""
    return _outlook_message(subject, files, embedded).to_bytes()


def _outlook_message(subject: str, files, embedded: tuple | None = None):
    from aspose.email_foss import msg

    message = msg.MapiMessage.create(subject, "See the attached invoice.")
    if embedded is not None:
        inner = _outlook_message(embedded[0], embedded[1:])
        message.add_embedded_message_attachment(inner, filename="Forwarded.msg")
    for name, data in files:
        message.add_attachment(name, data, mime_type="application/pdf")
    return message


def outlook_by_msgforge(*files: tuple[str, bytes]) -> bytes:
    """An Outlook .msg written by msgforge, a second, independent writer."""
    from msgforge import Message

    message = Message(subject="Invoice (Outlook)", text_body="See attached.", to=[("ap@example.com", "AP")])
    for name, data in files:
        message.attach_bytes(name, data, mime_type="application/pdf")
    return message.as_bytes()


# name, raw message bytes, expected document names (with media type), expected rejection codes
CASES = [
    ("plain pdf", attach(mail(), PDF, "invoice.pdf").as_bytes(), [("invoice.pdf", "application/pdf")], []),
    ("pdf as octet-stream", attach(mail(), PDF, "scan.dat", subtype="octet-stream").as_bytes(),
     [("scan.dat", "application/pdf")], []),
    ("pdf named .txt", attach(mail(), PDF, "invoice.txt", subtype="octet-stream").as_bytes(),
     [("invoice.txt", "application/pdf")], []),
    ("rfc2047 name", raw_with_part(
        'Content-Type: application/pdf; name="=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?="\r\n'
        'Content-Disposition: attachment; filename="=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?="', b64(PDF)),
     [("Rechnung März.pdf", "application/pdf")], []),
    ("rfc2231 name", raw_with_part(
        "Content-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''Factura%20n%C2%BA%207.pdf", b64(PDF)),
     [("Factura nº 7.pdf", "application/pdf")], []),
    ("rfc2231 continuation", raw_with_part(
        "Content-Type: application/pdf\r\n"
        "Content-Disposition: attachment;\r\n filename*0*=ISO-8859-1''Gr%FC%DFe%20;\r\n filename*1*=an%20Sie.pdf",
        b64(PDF)), [("Grüße an Sie.pdf", "application/pdf")], []),
    ("latin-1 body", raw_with_part("Content-Type: application/pdf; name=a.pdf", b64(PDF),
                                   body_charset="iso-8859-1", body="Grüße".encode("latin-1")),
     [("a.pdf", "application/pdf")], []),
    ("windows-1252 body", raw_with_part("Content-Type: application/pdf; name=a.pdf", b64(PDF),
                                        body_charset="windows-1252", body="“Rechnung” €".encode("cp1252")),
     [("a.pdf", "application/pdf")], []),
    ("unknown charset", raw_with_part("Content-Type: application/pdf; name=a.pdf", b64(PDF),
                                      body_charset="x-klingon", body=b"qapla\xe9"),
     [("a.pdf", "application/pdf")], []),
    ("forwarded mail", forwarded(attach(mail("Invoice 7"), PDF, "inner.pdf")).as_bytes(),
     [("inner.pdf", "application/pdf")], []),
    (".eml attachment", attach(mail(), attach(mail("old"), PDF, "in-eml.pdf").as_bytes(), "fwd.eml",
                               subtype="octet-stream").as_bytes(), [("in-eml.pdf", "application/pdf")], []),
    ("zip of two pdfs", attach(mail(), zipped({"a.pdf": PDF, "sub/b.pdf": OTHER_PDF}), "docs.zip", subtype="zip").as_bytes(),
     [("a.pdf", "application/pdf"), ("b.pdf", "application/pdf")], []),
    ("zip bomb by ratio", attach(mail(), bomb(), "bomb.zip", subtype="zip").as_bytes(), [], ["zip-bomb"]),
    ("zip with too many files", attach(mail(), zipped({f"f{i}.pdf": PDF for i in range(205)}), "many.zip",
                                       subtype="zip").as_bytes(), [], ["zip-bomb"]),
    ("zip nested too deep", attach(mail(), nested_zip(4), "deep.zip", subtype="zip").as_bytes(), [], ["too-deep"]),
    ("zip nested within bounds", attach(mail(), nested_zip(1), "ok.zip", subtype="zip").as_bytes(),
     [("invoice.pdf", "application/pdf")], []),
    ("corrupt zip", attach(mail(), b"PK\x03\x04garbage", "broken.zip", subtype="zip").as_bytes(), [], ["zip-corrupt"]),
    ("inline logo and a pdf", attach(attach(html_mail('<p>Hi</p><img src="cid:logo@x">'), LOGO, "logo.png",
                                            maintype="image", subtype="png", disposition="inline", cid="<logo@x>"),
                                     PDF, "i.pdf").as_bytes(), [("i.pdf", "application/pdf")], []),
    ("scanned jpeg attached", attach(mail(), JPEG, "scan.jpg", maintype="image", subtype="jpeg").as_bytes(),
     [("scan.jpg", "image/jpeg")], []),
    ("path traversal", attach(mail(), PDF, "../../etc/passwd.pdf").as_bytes(), [("passwd.pdf", "application/pdf")], []),
    ("windows path", attach(mail(), PDF, "C:\\Users\\eve\\invoice.pdf").as_bytes(),
     [("invoice.pdf", "application/pdf")], []),
    ("no file name", attach(mail(), PDF, None).as_bytes(), [("attachment-1.pdf", "application/pdf")], []),
    ("control characters in name", attach(mail(), PDF, "in\x07voice\x00.pdf").as_bytes(),
     [("in_voice_.pdf", "application/pdf")], []),
    ("executable", attach(mail(), b"MZ\x90\x00" + b"\x00" * 60, "invoice.exe", subtype="octet-stream").as_bytes(),
     [], ["unsupported-type"]),
    ("empty attachment", attach(mail(), b"", "empty.pdf").as_bytes(), [], ["empty"]),
    ("broken outlook msg", attach(mail(), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "mail.msg",
                                  subtype="vnd.ms-outlook").as_bytes(), [], ["msg-unreadable"]),
    ("outlook msg with a pdf", attach(mail(), outlook("Invoice 7", ("inv-7.pdf", PDF)), "Invoice 7.msg",
                                      subtype="vnd.ms-outlook").as_bytes(), [("inv-7.pdf", "application/pdf")], []),
    ("outlook msg inside outlook msg", attach(mail(), outlook("Fwd", ("top.pdf", PDF), embedded=(
        "Inner", ("deep.pdf", OTHER_PDF))), "Fwd.msg", subtype="vnd.ms-outlook").as_bytes(),
     [("deep.pdf", "application/pdf"), ("top.pdf", "application/pdf")], []),
    ("outlook msg of another writer, zipped", attach(mail(), zipped({"mail.msg": outlook_by_msgforge(
        ("forge.pdf", PDF))}), "mail.zip", subtype="zip").as_bytes(), [("forge.pdf", "application/pdf")], []),
    ("encrypted zip member", attach(mail(), encrypted_flag(zipped({"a.pdf": PDF}, zipfile.ZIP_STORED)),
                                    "locked.zip", subtype="zip").as_bytes(), [], ["zip-encrypted"]),
    ("xlsx timesheet", attach(mail(), zipped({"[Content_Types].xml": b"<Types/>"}), "hours.xlsx",
                              subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet").as_bytes(),
     [("hours.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")], []),
    ("order in the body only", mail("PO 4711", body="Please deliver 10 x SKU-1 at 4.50").as_bytes(), [], []),
    ("csv attachment", attach(mail(), b"date,hours\n2026-01-05,8\n", "hours.csv", maintype="text",
                              subtype="csv").as_bytes(), [("hours.csv", "text/csv")], []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "raw", "documents", "rejected"), CASES, ids=[c[0] for c in CASES])
def test_mime_corpus(tmp_path, name, raw, documents, rejected):
    files = FileStore(tmp_path / "files")
    parsed = parse_mail(raw, files, name=name)
    assert [(d.name, d.stored.media_type) for d in parsed.documents] == documents
    assert [r.code for r in parsed.rejected] == rejected
    for document in parsed.documents:
        assert files.path(document.stored).stat().st_size == document.stored.size > 0
    for rejection in parsed.rejected:
        assert rejection.reason.startswith(rejection.name) and len(rejection.reason) > len(rejection.name) + 5


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_bodies_are_decoded_in_their_charset(tmp_path):
    files = FileStore(tmp_path)
    latin = parse_mail(raw_with_part("Content-Type: application/pdf", b64(PDF), "iso-8859-1", "Grüße".encode("latin-1")), files)
    assert latin.text.strip() == "Grüße" and latin.warnings == []
    unknown = parse_mail(raw_with_part("Content-Type: application/pdf", b64(PDF), "x-klingon", b"qapla\xe9"), files)
    assert unknown.text.strip() == "qaplaé" and "x-klingon" in unknown.warnings[0]


def test_headers_are_read(tmp_path):
    parsed = parse_mail(attach(mail("Rechnung =?x", message_id="<abc@x>"), PDF, "a.pdf").as_bytes(), FileStore(tmp_path))
    assert (parsed.message_id, parsed.sender) == ("<abc@x>", "Acme Billing <billing@acme.example>")
    assert parsed.subject == "Rechnung =?x" and "Please find attached." in parsed.text


def test_inline_images_kept_when_asked(tmp_path):
    raw = attach(mail(), PNG, "logo.png", maintype="image", subtype="png", disposition="inline", cid="<l@x>").as_bytes()
    parsed = parse_mail(raw, FileStore(tmp_path), MailLimits(include_inline_images=True))
    assert [d.name for d in parsed.documents] == ["logo.png"]


def test_oversized_part_is_refused_with_its_size(tmp_path):
    raw = attach(mail(), PDF, "big.pdf").as_bytes()
    parsed = parse_mail(raw, FileStore(tmp_path), MailLimits(max_part_bytes=100))
    assert [r.code for r in parsed.rejected] == ["too-large"]
    assert parsed.rejected[0].reason.startswith("big.pdf: about ")


@pytest.mark.parametrize(("raw", "code"), [(b"", "mail-empty"), (b"  \r\n", "mail-empty"), (b"\x00\x01\x02binary", "mail-malformed")])
def test_not_a_mail(tmp_path, raw, code):
    with pytest.raises(DocumentError) as caught:
        parse_mail(raw, FileStore(tmp_path), name="odd.eml")
    assert caught.value.code == code and caught.value.reason.startswith("odd.eml: ")


def test_malformed_headers_give_warnings_not_crashes(tmp_path):
    raw = b"From: <<broken\r\nDate: not a date\r\nSubject: =?utf-8?q?broken\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
    parsed = parse_mail(raw, FileStore(tmp_path))
    assert parsed.documents == [] and "body" in parsed.text


def test_outlook_messages_embedded_too_deep_are_refused(tmp_path):
    from aspose.email_foss import msg

    message = _outlook_message("level 0", [("deep.pdf", PDF)])
    for level in range(1, 4):
        outer = msg.MapiMessage.create(f"level {level}", "forwarded")
        outer.add_embedded_message_attachment(message, filename=f"level{level - 1}.msg")
        message = outer
    raw = attach(mail(), message.to_bytes(), "top.msg", subtype="vnd.ms-outlook").as_bytes()
    parsed = parse_mail(raw, FileStore(tmp_path))
    assert parsed.documents == [] and [r.code for r in parsed.rejected] == ["too-deep"]
    assert parsed.rejected[0].name == "top.msg/level2.msg/level1.msg/level0.msg"  # the fourth level


def test_damaged_outlook_messages_are_refused_never_raised(tmp_path):
    import random

    sound = outlook("Fwd", ("top.pdf", PDF), embedded=("Inner", ("deep.pdf", PDF)))
    files, rng = FileStore(tmp_path), random.Random(0)  # this seed damages one so that extract_msg raises
    outcomes = set()
    for _ in range(60):
        damaged = bytearray(sound)
        for _ in range(20):
            damaged[rng.randrange(512, len(damaged))] = rng.randrange(256)
        raw = attach(mail(), bytes(damaged), "Fwd.msg", subtype="vnd.ms-outlook").as_bytes()
        parsed = parse_mail(raw, files)  # documents, refusals with reasons, or both; never an exception
        assert all(r.reason.startswith(r.name) for r in parsed.rejected)
        outcomes.add((len(parsed.documents), tuple(sorted({r.code for r in parsed.rejected}))))
    assert len(outcomes) > 1  # the damage did make a difference somewhere


def uuencoded(name: str, data: bytes) -> str:
    """A file as old mail programs put it in a text body: begin, 45-byte lines of uuencode, end."""
    import binascii

    lines = [binascii.b2a_uu(data[i : i + 45]).decode() for i in range(0, len(data), 45)]
    return f"begin 644 {name}\n" + "".join(lines) + "`\nend\n"


def test_a_file_uuencoded_in_the_body_is_a_document_and_leaves_the_body(tmp_path):
    files = FileStore(tmp_path)
    body = "Dear team,\nour invoice is attached.\n\n" + uuencoded("INV-1.pdf", PDF) + "\nRegards, Acme\n"
    parsed = parse_mail(mail(body=body).as_bytes(), files)
    assert [(d.name, d.stored.media_type, d.origin) for d in parsed.documents] == [("INV-1.pdf", "application/pdf", "body")]
    assert files.path(parsed.documents[0].stored).read_bytes() == PDF
    assert "begin 644" not in parsed.text and "our invoice is attached." in parsed.text and "Regards" in parsed.text


def test_text_that_only_mentions_begin_is_left_alone(tmp_path):
    body = "begin 644 is how old mailers start a file; we do not\nend of story\n"
    parsed = parse_mail(mail(body=body).as_bytes(), FileStore(tmp_path))
    assert parsed.documents == [] and "begin 644 is how" in parsed.text


def test_the_same_file_twice_in_a_mail_is_one_document(tmp_path):
    message = attach(attach(mail(), PDF, "invoice.pdf"), PDF, "invoice.pdf")
    message = attach(message, zipped({"Invoice.PDF": PDF, "other.pdf": OTHER_PDF}), "both.zip", subtype="zip")
    message = attach(message, PDF, "copy of the invoice.pdf")  # another name: taken (a person may mean it)
    parsed = parse_mail(message.as_bytes(), FileStore(tmp_path))
    assert [d.name for d in parsed.documents] == ["invoice.pdf", "other.pdf", "copy of the invoice.pdf"]
    duplicates = [(p.name, p.kind) for p in parsed.parts if p.kind == "duplicate"]
    assert duplicates == [("invoice.pdf", "duplicate"), ("both.zip/Invoice.PDF", "duplicate")]
