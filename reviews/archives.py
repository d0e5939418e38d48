"""A zip of a file's attachments, streamed (SPEC §5.6): the archive is produced piece by piece
while the response is sent, never held whole in memory. Names inside the archive are
sanitised (no folders, no « .. », no control characters) and made unique."""

import re
import unicodedata
import zipfile
from collections.abc import Iterator

CHUNK = 64 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class _Sink:
    """A write-only, non-seekable target: ``zipfile`` then writes data descriptors and never
    seeks back, and what it wrote is taken out with ``drain``."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self):
        """Nothing to flush: written bytes are handed out by the streaming loop."""

    def drain(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def safe_name(name: str, fallback: str = "piece") -> str:
    """``name`` reduced to a harmless file name: accents removed, no path, no control or
    shell characters, at most 100 characters, never empty, never starting with a dot."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_name).strip(" ._") or fallback
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    stem = stem[: 100 - len(extension) - 1] if extension else cleaned[:100]
    return f"{stem}.{extension}" if extension else stem


def archive_names(attachments) -> list[str]:
    """One unique, sanitised name per attachment, prefixed by its kind."""
    names, used = [], set()
    for attachment in attachments:
        base = f"{attachment.kind}-{safe_name(attachment.original_name)}"
        name, number = base, 1
        while name.lower() in used:
            number += 1
            stem, dot, extension = base.rpartition(".")
            name = f"{stem}-{number}.{extension}" if dot else f"{base}-{number}"
        used.add(name.lower())
        names.append(name)
    return names


def stream_zip(attachments) -> Iterator[bytes]:
    """The bytes of a zip holding each attachment's file (missing files are skipped and
    listed in « pieces-manquantes.txt »)."""
    sink = _Sink()
    missing = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment, name in zip(attachments, archive_names(attachments), strict=True):
            try:
                source = attachment.file.open("rb")
            except (FileNotFoundError, ValueError):
                missing.append(attachment.original_name)
                continue
            info = zipfile.ZipInfo(name, date_time=attachment.uploaded_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with source, archive.open(info, "w", force_zip64=True) as target:
                while block := source.read(CHUNK):
                    target.write(block)
                    yield sink.drain()
            yield sink.drain()
        if missing:
            archive.writestr(
                "pieces-manquantes.txt",
                "Pièces introuvables sur le stockage :\n" + "\n".join(missing) + "\n",
            )
    yield sink.drain()
