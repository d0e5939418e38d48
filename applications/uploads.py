"""Upload checks: type by content (magic bytes), size limits, sanitised names."""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings

# Detected extension → (MIME type, extensions the user's file name may carry).
ALLOWED_TYPES = {
    "pdf": ("application/pdf", {"pdf"}),
    "odt": ("application/vnd.oasis.opendocument.text", {"odt"}),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        {"docx"},
    ),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", {"ods"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "png": ("image/png", {"png"}),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}),
}
ALLOWED_LABEL = "PDF, ODT, DOCX, ODS, XLSX, PNG ou JPEG"


def max_file_bytes() -> int:
    return getattr(settings, "PTCE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def max_set_bytes() -> int:
    return getattr(settings, "PTCE_ATTACHMENTS_TOTAL_MAX_BYTES", 50 * 1024 * 1024)


class UploadRefused(ValueError):
    pass


# Office documents are zip archives: a small file may claim gigabytes once expanded (a "zip
# bomb" that would exhaust whoever opens it: a reviewer's office suite, an antivirus, a PDF
# conversion). Their directory is read (never extracted) and refused beyond these bounds.
ZIP_BASED = {"odt", "docx", "ods", "xlsx"}
MAX_ZIP_ENTRIES = 5000
MAX_ZIP_RATIO = 200


def max_uncompressed_bytes() -> int:
    return getattr(settings, "PTCE_ATTACHMENT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)


def check_archive(uploaded, size: int) -> None:
    """Refuse an office document whose zip directory is unreadable, encrypted, too large once
    expanded, or with an absurd compression ratio."""
    refused = UploadRefused(
        "Ce document bureautique est corrompu ou anormalement volumineux une fois décompressé : "
        "enregistrez-le à nouveau (ou en PDF) puis déposez-le."
    )
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise refused from None
    finally:
        uploaded.seek(0)
    total = sum(entry.file_size for entry in entries)
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or total > max_uncompressed_bytes()
        or total > MAX_ZIP_RATIO * max(size, 1)
        or any(entry.flag_bits & 0x1 for entry in entries)  # encrypted
    ):
        raise refused


@dataclass
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def sanitise_name(name: str, extension: str) -> str:
    """Keep the last path component, ASCII letters, digits, dot, dash and underscore; always
    end with the detected extension; never start with a dot; at most 100 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_.")[:90] or "piece"
    return f"{stem}.{extension}"


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def check_upload(uploaded, *, already_stored_bytes: int = 0) -> CheckedUpload:
    """Refuse what is too big, of a type not allowed, or whose content contradicts its name."""
    size = uploaded.size
    if size == 0:
        raise UploadRefused("Le fichier est vide.")
    if size > max_file_bytes():
        raise UploadRefused(
            f"Le fichier dépasse la taille maximale de {_human(max_file_bytes())} par pièce."
        )
    if already_stored_bytes + size > max_set_bytes():
        raise UploadRefused(
            f"L’ensemble des pièces du dossier dépasserait {_human(max_set_bytes())} : "
            "allégez ou supprimez une pièce."
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    detected = kind.extension if kind else None
    if detected not in ALLOWED_TYPES:
        raise UploadRefused(
            f"Ce type de fichier n’est pas accepté : seuls les fichiers {ALLOWED_LABEL} le sont "
            "(le contenu du fichier est vérifié, pas seulement son extension)."
        )
    mimetype, extensions = ALLOWED_TYPES[detected]
    given = uploaded.name.rsplit(".", 1)[-1].lower() if "." in (uploaded.name or "") else ""
    if given not in extensions:
        raise UploadRefused(
            f"Le contenu de ce fichier ({detected.upper()}) ne correspond pas à son extension "
            f"« .{given or '?'} »."
        )
    if detected in ZIP_BASED:
        check_archive(uploaded, size)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        name=sanitise_name(uploaded.name, given),
        extension=given,
        content_type=mimetype,
        size=size,
        sha256=digest.hexdigest(),
    )
