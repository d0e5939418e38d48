import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.amounts import AmountError, format_amount, parse_amount
from applications.uploads import UploadRefused, check_upload, sanitise_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,50\u00a0€", Decimal("1234.50")),
        ("1\u202f234,50 €", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("12500", Decimal("12500")),
        ("80 000 EUR", Decimal("80000")),
        ("0,5", Decimal("0.5")),
        ("", None),
        ("   ", None),
    ],
)
def test_french_amounts_are_read_as_typed(typed, expected):
    assert parse_amount(typed) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-100", "négatif"),
        ("−100", "négatif"),
        ("1e9", "Saisissez un montant"),
        ("abc", "Saisissez un montant"),
        ("999 999 999 999", "100 millions"),
        ("12,345", "deux décimales"),
    ],
)
def test_negative_absurd_and_unreadable_amounts_are_refused(typed, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(typed)


def test_format_amount_uses_french_typography():
    assert format_amount(Decimal("1234.5")) == "1\u00a0234,50\u00a0€"
    assert format_amount(Decimal("80000")) == "80\u00a0000\u00a0€"


def _docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _xlsx_bytes():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "mimetype"),
    [
        ("statuts.pdf", PDF, "application/pdf"),
        ("logo.png", PNG, "image/png"),
        (
            "budget.xlsx",
            _xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, mimetype):
    checked = check_upload(SimpleUploadedFile(name, content))
    assert checked.content_type == mimetype
    assert checked.size == len(content)
    assert len(checked.sha256) == 64


def test_pdf_that_is_really_an_executable_is_refused():
    with pytest.raises(UploadRefused, match="type de fichier n’est pas accepté"):
        check_upload(SimpleUploadedFile("statuts.pdf", EXE))


def test_content_contradicting_extension_is_refused():
    with pytest.raises(UploadRefused, match="ne correspond pas"):
        check_upload(SimpleUploadedFile("photo.pdf", PNG))


def test_oversize_file_and_file_set_are_refused(settings):
    settings.PTCE_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(UploadRefused, match="taille maximale"):
        check_upload(SimpleUploadedFile("gros.pdf", PDF + b"0" * 1000))
    settings.PTCE_ATTACHMENTS_TOTAL_MAX_BYTES = 2000
    with pytest.raises(UploadRefused, match="ensemble des pièces"):
        check_upload(SimpleUploadedFile("statuts.pdf", PDF), already_stored_bytes=1990)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32.pdf", "system32.pdf"),
        ("Statuts signés (v2).PDF", "Statuts-signes-v2.pdf"),
        (".htaccess.pdf", "htaccess.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
    ],
)
def test_names_are_sanitised(name, expected):
    assert sanitise_name(name, "pdf") == expected
