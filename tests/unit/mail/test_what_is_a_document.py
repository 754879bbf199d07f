"""What a person reading a mail takes as documents, class by class (issue 15): photos from phones,
logos, signatures, disclaimer fragments, delivery reports, calendar parts, alternative
renderings, broken multipart, TNEF, encoded forwarded mails, types by content, unquoted names,
bounded decompression."""

from __future__ import annotations

import base64
import gzip
import io
import struct
import zipfile
from email.message import EmailMessage

import pytest

from backoffice.mail import MailLimits, parse_mail
from backoffice.mail.intake import Reading, mail_family
from backoffice.queue.files import FileStore
from tests.unit.mail.conftest import make_pdf

PDF = make_pdf()


def picture(width: int, height: int, kind: str = "JPEG", camera: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (90, 140, 200))
    buffer = io.BytesIO()
    if camera:
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
        image.save(buffer, kind, exif=exif)
    else:
        image.save(buffer, kind)
    return buffer.getvalue()


def message(body: str = "Hello", html: str | None = None, subject: str = "Documents") -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = "a@example.com", "ap@example.com", subject, "<t@x>"
    mail.set_content(body)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail


def parse(tmp_path, raw: bytes, **limits):
    return parse_mail(raw, FileStore(tmp_path / "files"), MailLimits(**limits))


def family(tmp_path, raw: bytes):
    files = FileStore(tmp_path / "files")
    return mail_family(Reading("bot", "INBOX", 1), 7, raw, files.put_bytes(raw, "m.eml"), files)


def names(parsed) -> list[str]:
    return [d.name for d in parsed.documents]


def kinds(parsed) -> set[str]:
    return {p.kind for p in parsed.parts} - {"text"}


# -- photos and logos ---------------------------------------------------------------------
def test_an_iphone_photo_inline_with_a_content_id_is_a_document(tmp_path):
    mail = message("Sent from my iPhone", html='<div>Sent from my iPhone</div><img src="cid:photo1@apple">')
    mail.add_attachment(picture(1200, 900, camera=True), maintype="image", subtype="jpeg", filename="IMG_0042.JPG",
                        disposition="inline", cid="<photo1@apple>")  # fmt: skip
    assert names(parse(tmp_path, mail.as_bytes())) == ["IMG_0042.JPG"]


def test_a_photo_inline_that_the_body_does_not_show_is_a_document(tmp_path):
    mail = message("Here is the receipt")
    mail.add_attachment(
        picture(640, 480), maintype="image", subtype="jpeg", filename="image1.jpeg", disposition="inline"
    )
    assert names(parse(tmp_path, mail.as_bytes())) == ["image1.jpeg"]


def test_a_small_logo_shown_by_the_html_is_a_part_of_the_mail_and_the_body_is_taken(tmp_path):
    mail = message("Regards, ACME", html='<p>Regards</p><img src="cid:logo@acme">')
    mail.add_attachment(picture(180, 60, "PNG"), maintype="image", subtype="png", filename="logo.png",
                        disposition="inline", cid="<logo@acme>")  # fmt: skip
    parent, children = family(tmp_path, mail.as_bytes())
    assert [c.payload["file"] for c in children] == ["body.txt"]
    assert [(p["name"], p["kind"]) for p in parent.payload["parts"] if p["kind"] == "logo"] == [("logo.png", "logo")]


def test_tiny_signature_images_attached_beside_a_pdf_are_parts(tmp_path):
    mail = message("See the order")
    mail.add_attachment(picture(96, 96), maintype="image", subtype="jpeg", filename="image001.jpg")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="order.pdf")
    parsed = parse(tmp_path, mail.as_bytes())
    assert names(parsed) == ["order.pdf"] and kinds(parsed) == {"logo"}


def test_a_mail_whose_only_content_is_a_small_image_takes_the_image(tmp_path):
    mail = EmailMessage()
    mail["From"], mail["Subject"] = "a@example.com", "scan"
    mail.make_mixed()
    part = EmailMessage()
    part.set_content(picture(50, 50), maintype="image", subtype="jpeg", disposition="inline", filename="päring.jpg")
    mail.attach(part)
    assert names(parse(tmp_path, mail.as_bytes())) == ["päring.jpg"]


def test_inline_images_can_all_be_taken(tmp_path):
    mail = message("x", html='<img src="cid:l@x">')
    mail.add_attachment(picture(50, 50, "PNG"), maintype="image", subtype="png", filename="l.png", cid="<l@x>",
                        disposition="inline")  # fmt: skip
    assert names(parse(tmp_path, mail.as_bytes(), include_inline_images=True)) == ["l.png"]


def test_a_named_text_file_sent_inline_as_apple_mail_does_is_a_document(tmp_path):
    mail = message("Order attached")
    mail.add_attachment("10 x SKU-1\n", subtype="plain", filename="order.txt", disposition="inline")
    assert names(parse(tmp_path, mail.as_bytes())) == ["order.txt"]


# -- parts of the mail --------------------------------------------------------------------
SIGNATURE = b"0\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\x00" * 40


@pytest.mark.parametrize(("maintype", "subtype", "data", "name", "kind"), [
    ("application", "pkcs7-signature", SIGNATURE, "smime.p7s", "signature"),
    ("application", "pgp-signature", b"-----BEGIN PGP SIGNATURE-----\n\nxx\n-----END PGP SIGNATURE-----\n",
     "signature.asc", "signature"),
    ("application", "pdf", SIGNATURE, None, "signature"),  # a signature labelled PDF: the bytes decide
    ("text", "plain", b"\n\nSent from my phone\n", "ATT00001.txt", "disclaimer"),
    ("text", "html", b"<p>Confidential</p>", "ATT00002.htm", "disclaimer"),
    ("text", "html", b"<p>Confidential</p>", "ATT00003..htm", "disclaimer"),
    ("text", "calendar", b"BEGIN:VCALENDAR\nEND:VCALENDAR\n", "invite.ics", "calendar"),
    ("text", "vcard", b"BEGIN:VCARD\nEND:VCARD\n", "me.vcf", "contact"),
])  # fmt: skip
def test_parts_of_the_mail_are_recorded_never_exceptions_and_never_hide_the_body(
    tmp_path, maintype, subtype, data, name, kind
):
    mail = message("Please pay invoice 7 by Friday.")
    if maintype == "text":
        mail.add_attachment(data.decode(), subtype=subtype, filename=name)
    else:
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    parent, children = family(tmp_path, mail.as_bytes())
    assert [c.payload["file"] for c in children] == ["body.txt"]  # the body, and no exception item
    assert kind in {p["kind"] for p in parent.payload["parts"]}


def test_a_signed_pdf_mail_gives_the_pdf_alone(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: signed\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; "
        b'protocol="application/pkcs7-signature"; boundary=SIG\r\n\r\n'
        b"--SIG\r\nContent-Type: multipart/mixed; boundary=IN\r\n\r\n"
        b"--IN\r\nContent-Type: text/plain\r\n\r\nInvoice attached\r\n"
        b"--IN\r\nContent-Type: application/pdf; name=invoice.pdf\r\nContent-Disposition: attachment; "
        b"filename=invoice.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(PDF) + b"--IN--\r\n"
        b"\r\n--SIG\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(SIGNATURE) + b"\r\n--SIG--\r\n"
    )
    parent, children = family(tmp_path, raw)
    assert [c.payload["file"] for c in children] == ["invoice.pdf"]  # no signature item for a person to cancel
    assert {p["kind"] for p in parent.payload["parts"]} >= {"signature"}


def test_a_delivery_report_gives_its_notice_and_records_the_report(tmp_path):
    raw = (
        b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered Mail\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n"
        b"--R\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n"
        b"Final-Recipient: rfc822; x@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: me@example.com\r\nSubject: hi\r\n\r\nhello\r\n--R--\r\n"
    )
    parent, children = family(tmp_path, raw)
    assert [c.payload["file"] for c in children] == ["body.txt"]
    assert {p["kind"] for p in parent.payload["parts"]} >= {"report", "returned-mail"}


def test_an_apple_watch_rendering_is_an_alternative_not_a_document(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/alternative; boundary=A\r\n\r\n"
        b"--A\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        b"--A\r\nContent-Type: text/watch-html\r\n\r\n<b>Hello</b>\r\n"
        b"--A\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n--A--\r\n"
    )
    parsed = parse(tmp_path, raw)
    assert parsed.documents == [] and parsed.rejected == [] and kinds(parsed) == {"alternative"}
    assert parsed.text.strip() == "Hello"


# -- broken multipart ------------------------------------------------------------------
@pytest.mark.parametrize("content_type", [
    b"multipart/mixed; boundary=----=_NextPart_000_0093_01C81419.EB75E850",  # '=' unquoted: cut by a strict parser
    b'multipart/mixed; boundary="--=_declared_but_never_used"',
])  # fmt: skip
def test_a_broken_multipart_is_read_as_a_mail_client_shows_it(tmp_path, content_type):
    raw = (
        b"From: a@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\nContent-Type: " + content_type + b"\r\n\r\n"
        b"This is a multi-part message in MIME format.\r\n\r\n"
        b"------=_NextPart_000_0093_01C81419.EB75E850\r\nContent-Type: text/plain\r\n\r\nInvoice attached.\r\n"
        b"------=_NextPart_000_0093_01C81419.EB75E850\r\nContent-Type: application/octet-stream; name=inv.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF)
        + b"------=_NextPart_000_0093_01C81419.EB75E850--\r\n"
    )
    parsed = parse(tmp_path, raw)
    assert [(d.name, d.stored.media_type) for d in parsed.documents] == [("inv.pdf", "application/pdf")]
    assert parsed.rejected == [] and parsed.repaired and parsed.text.strip() == "Invoice attached."


def test_a_multipart_with_no_boundary_line_at_all_gives_its_text(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=Q\r\n"
        b"\r\nPlease deliver 10 boxes.\r\n"
    )
    _, children = family(tmp_path, raw)
    assert [c.payload["file"] for c in children] == ["body.txt"] and "intake_error" not in children[0].payload


# -- containers and forwarded mail ------------------------------------------------------
def tnef(*files: tuple[str, bytes]) -> bytes:
    """A TNEF (winmail.dat) stream as Outlook writes it: signature, key, then attributes."""

    def attribute(level: int, ident: int, data: bytes) -> bytes:
        return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = struct.pack("<IH", 0x223E9F78, 1) + attribute(1, 0x00089006, struct.pack("<I", 0x00010000))
    for name, data in files:
        out += attribute(2, 0x00069002, b"\x01\x00" + b"\x00" * 12)  # attAttachRendData: a new attachment
        out += attribute(2, 0x00018010, name.encode() + b"\x00")  # attAttachTitle
        out += attribute(2, 0x0006800F, data)  # attAttachData
    return out


def test_tnef_winmail_dat_is_opened(tmp_path):
    mail = message("Outlook")
    mail.add_attachment(tnef(("invoice.pdf", PDF), ("notes.txt", b"call back")), maintype="application",
                        subtype="ms-tnef", filename="winmail.dat")  # fmt: skip
    parsed = parse(tmp_path, mail.as_bytes())
    assert [(d.name, d.stored.media_type) for d in parsed.documents] == [
        ("invoice.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
    ]
    assert parsed.documents[0].origin == "winmail.dat"


def test_a_damaged_tnef_is_refused_naming_tnef(tmp_path):
    mail = message("Outlook")
    damaged = tnef()[:6] + bytes(range(200))  # the signature, then garbage
    mail.add_attachment(damaged, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    parsed = parse(tmp_path, mail.as_bytes())
    assert [r.code for r in parsed.rejected] == ["tnef-unreadable"] and "TNEF" in parsed.rejected[0].reason
    assert parsed.rejected[0].stored is not None  # kept for the person who looks at it


def forwarded_raw(content_type: bytes, encoding: bytes, inner: bytes) -> bytes:
    body = base64.encodebytes(inner) if encoding == b"base64" else inner
    return (
        b"From: a@example.com\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=F\r\n\r\n"
        b"--F\r\nContent-Type: text/plain\r\n\r\nSee below.\r\n--F\r\nContent-Type: "
        + content_type
        + b"\r\nContent-Transfer-Encoding: "
        + encoding
        + b"\r\n\r\n"
        + body
        + b"\r\n--F--\r\n"
    )


@pytest.mark.parametrize(("content_type", "encoding"), [
    (b"message/rfc822", b"base64"), (b"message/global", b"8bit"), (b"message/global", b"base64"), (b"message/rfc822", b"7bit"),
])  # fmt: skip
def test_forwarded_mails_are_opened_however_encoded(tmp_path, content_type, encoding):
    inner = message("the invoice", subject="Rechnung März")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="rechnung.pdf")
    raw = forwarded_raw(content_type, encoding, inner.as_bytes())
    assert names(parse(tmp_path, raw)) == ["rechnung.pdf"]


def test_a_forwarded_mail_with_text_only_gives_its_text(tmp_path):
    inner = message("Please ship order 4711 to Berlin.", subject="Order 4711")
    parsed = parse(tmp_path, forwarded_raw(b"message/rfc822", b"7bit", inner.as_bytes()))
    assert names(parsed) == ["Order 4711.txt"]


def office_zip(main: str, first: str = "[Content_Types].xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        types = f'<Types><Override PartName="/x" ContentType="{main}.main+xml"/></Types>'.encode()
        members = {"[Content_Types].xml": types, "_rels/.rels": b"<Relationships/>", "word/document.xml": b"<w/>"}
        for name in [first] + [m for m in members if m != first]:
            archive.writestr(name, members[name])
    return buffer.getvalue()


def odf(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), kind)  # stored, first, as ODF requires
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name", "media_type"), [
    (office_zip("application/vnd.ms-excel.sheet.macroEnabled"), "budget.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12"),
    (office_zip("application/vnd.ms-word.document.macroEnabled"), "letter.docm", "application/vnd.ms-word.document.macroEnabled.12"),
    (office_zip("application/vnd.openxmlformats-officedocument.wordprocessingml.template", first="_rels/.rels"),
     "form.dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template"),
    (office_zip("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), None,
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),  # its name lost: the content says
    (odf("application/vnd.oasis.opendocument.text"), None, "application/vnd.oasis.opendocument.text"),
    (picture(300, 300, "GIF"), "scan", "image/gif"),  # no extension: GIF by magic
    (picture(300, 300, "TIFF"), None, "image/tiff"),
    (picture(300, 300, "PNG"), "photo.dat", "image/png"),
])  # fmt: skip
def test_types_are_decided_by_content_and_office_files_are_documents_not_archives(tmp_path, data, name, media_type):
    mail = message("attached")
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    parsed = parse(tmp_path, mail.as_bytes())
    assert [d.stored.media_type for d in parsed.documents] == [media_type] and parsed.rejected == []


def test_an_unquoted_file_name_with_spaces_is_kept_whole(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B\r\nContent-Type: application/pdf; name=Invoice 7 March.pdf\r\n"
        b"Content-Disposition: attachment; filename=Invoice 7 March.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(PDF)
        + b"--B--\r\n"
    )
    assert names(parse(tmp_path, raw)) == ["Invoice 7 March.pdf"]


def test_scripts_and_programs_are_refused_even_inside_archives(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.pdf.js", "var x = new ActiveXObject('WScript.Shell');")
        archive.writestr("real.pdf", PDF)
    mail = message("x")
    mail.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="docs.zip")
    parsed = parse(tmp_path, mail.as_bytes())
    assert names(parsed) == ["real.pdf"] and [(r.name, r.code) for r in parsed.rejected] == [
        ("docs.zip/invoice.pdf.js", "unsupported-type")
    ]


# -- decompression stops at the limit while inflating -------------------------------------
def lying_zip(size: int) -> bytes:
    """A ZIP whose headers claim a 10-byte member that inflates to ``size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.pdf", b"%PDF" + b"\x00" * size)
    data = bytearray(buffer.getvalue())
    local, central = 0, data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = struct.pack("<I", 10)  # uncompressed size in the local header
    data[central + 24 : central + 28] = struct.pack("<I", 10)  # ... and in the central directory
    return bytes(data)


def test_a_zip_that_lies_about_its_sizes_is_stopped_while_inflating(tmp_path, monkeypatch):
    from backoffice.mail import containers

    read = []
    real = containers.inflate

    def counting(stream, limit, what):
        try:
            return real(stream, limit, what)
        finally:
            read.append(limit)

    monkeypatch.setattr(containers, "inflate", counting)
    mail = message("x")
    mail.add_attachment(lying_zip(60_000_000), maintype="application", subtype="zip", filename="bomb.zip")
    parsed = parse(tmp_path, mail.as_bytes(), max_part_bytes=5_000_000)
    assert parsed.documents == [] and [r.code for r in parsed.rejected] in (["zip-bomb"], ["zip-corrupt"])
    assert read and max(read) <= 5_000_000  # never more than the limit held in memory


def test_a_gzip_bomb_is_refused_and_a_real_gzip_is_opened(tmp_path):
    mail = message("x")
    mail.add_attachment(gzip.compress(b"\x00" * 30_000_000), maintype="application", subtype="gzip", filename="big.gz")
    mail.add_attachment(gzip.compress(PDF), maintype="application", subtype="gzip", filename="invoice.pdf.gz")
    parsed = parse(tmp_path, mail.as_bytes(), max_part_bytes=5_000_000)
    assert names(parsed) == ["invoice.pdf"] and [r.code for r in parsed.rejected] == ["zip-bomb"]


def test_a_digest_gives_each_of_its_mails(tmp_path):
    raw = (
        b"From: list@example.com\r\nSubject: Digest\r\nMIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=D\r\n\r\n"
        b"--D\r\n\r\nFrom: a@example.com\r\nSubject: Order 1\r\n\r\nTen boxes, please.\r\n"
        b"--D\r\n\r\nFrom: b@example.com\r\nSubject: Order 2\r\n\r\nFive crates, please.\r\n--D--\r\n"
    )
    _, children = family(tmp_path, raw)
    assert [c.payload["file"] for c in children] == ["Order 1.txt", "Order 2.txt"]


def test_a_mail_whose_only_content_is_a_jpeg_with_a_quoted_name_keeps_it(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=M\r\n\r\n"
        b'--M\r\nContent-Type: image/jpeg; name="scan 1.jpg"\r\nContent-Disposition: inline; filename="scan 1.jpg"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(picture(40, 40)) + b"--M--\r\n"
    )
    parent, children = family(tmp_path, raw)
    assert [c.payload["file"] for c in children] == ["scan 1.jpg"] and "intake_error" not in parent.payload


def test_an_iphone_heic_photo_shown_by_the_html_is_a_document_though_unreadable_here(tmp_path):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(300_000)  # Pillow reads no HEIC
    mail = message("Sent from my iPhone", html='<img src="cid:heic@apple">')
    mail.add_attachment(heic, maintype="image", subtype="heic", filename="IMG_0007.HEIC", disposition="inline",
                        cid="<heic@apple>")  # fmt: skip
    parsed = parse(tmp_path, mail.as_bytes())
    assert [(d.name, d.stored.media_type) for d in parsed.documents] == [("IMG_0007.HEIC", "image/heic")]


def test_a_java_archive_is_a_program_not_an_archive_to_open(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: Invoice\n")
        archive.writestr("Invoice.class", b"\xca\xfe\xba\xbe")
    mail = message("x")
    mail.add_attachment(buffer.getvalue(), maintype="application", subtype="java-archive", filename="invoice.jar")
    parsed = parse(tmp_path, mail.as_bytes())
    assert parsed.documents == [] and [(r.name, r.code) for r in parsed.rejected] == [
        ("invoice.jar", "unsupported-type")
    ]


def test_a_body_split_around_an_attachment_is_taken_whole(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: note\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=S\r\n\r\n"
        b"--S\r\nContent-Type: text/plain\r\n\r\nFirst we have the order.\r\n"
        b"--S\r\nContent-Type: application/vnd.ms-excel.notreal; name=x\r\nContent-Disposition: inline\r\n\r\n\r\n"
        b"--S\r\nContent-Type: text/plain\r\n\r\nThen we have the delivery address.\r\n--S--\r\n"
    )
    parsed = parse(tmp_path, raw)
    assert "First we have the order." in parsed.text and "Then we have the delivery address." in parsed.text


def test_unnamed_text_sent_as_octet_stream_beside_a_body_is_a_document(tmp_path):
    raw = (
        b"From: erp@example.com\r\nSubject: export\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=E\r\n\r\n"
        b"--E\r\nContent-Type: text/plain\r\n\r\nThe nightly export.\r\n"
        b"--E\r\nContent-Type: application/octet-stream\r\n\r\ndate,hours\r\n2026-12-01,8\r\n--E--\r\n"
    )
    parsed = parse(tmp_path, raw)
    assert [(d.name, d.stored.media_type) for d in parsed.documents] == [("attachment-1.txt", "text/plain")]


def test_a_pdf_labelled_as_a_signature_is_still_a_pdf(tmp_path):
    mail = message("x")
    mail.add_attachment(PDF, maintype="application", subtype="pkcs7-signature", filename="invoice.pdf")
    assert names(parse(tmp_path, mail.as_bytes())) == ["invoice.pdf"]


def test_a_logo_shown_by_its_content_location_is_a_part(tmp_path):
    raw = (
        b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=L\r\n\r\n"
        b'--L\r\nContent-Type: text/html\r\n\r\n<p>Regards</p><img src="logo.gif">\r\n'
        b"--L\r\nContent-Type: image/gif\r\nContent-Location: logo.gif\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(picture(120, 40, "GIF"))
        + b"--L--\r\n"
    )
    parsed = parse(tmp_path, raw)
    assert parsed.documents == [] and kinds(parsed) == {"logo"} and "Regards" in parsed.html
