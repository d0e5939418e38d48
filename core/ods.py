"""OpenDocument spreadsheet (ODS) export written with ``zipfile`` and plain XML (no pinned
package writes ODS). Rows are streamed into ``content.xml`` inside the archive, itself written
to a temporary file: memory stays bounded whatever the number of rows. Text cells go through
``core.exports.neutralise_cell`` like CSV and XLSX; numbers are typed cells.
"""

import datetime
import re
import tempfile
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.http import FileResponse

from core.exports import neutralise_cell

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
# Characters XML 1.0 forbids (a NUL or a form feed typed in a field must not break the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.2"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles {_NS}>'
    "<office:styles/></office:document-styles>"
)
_BOLD = (
    '<office:automatic-styles><style:style style:name="head" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>'
)
ROWS_PER_WRITE = 200


def _text(value) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def cell(value, style: str = "") -> str:
    """One ``table:table-cell`` element for ``value``."""
    styled = f' table:style-name="{style}"' if style else ""
    if value is None or value == "":
        return f"<table:table-cell{styled}/>"
    if isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, int | float | Decimal):
        shown = str(value)
        return (
            f'<table:table-cell{styled} office:value-type="float" office:value="{shown}">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime.date):
        iso = value.isoformat()
        return (
            f'<table:table-cell{styled} office:value-type="date" office:date-value="{iso}">'
            f"<text:p>{iso}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{styled} office:value-type="string">'
        f"<text:p>{_text(neutralise_cell(str(value)))}</text:p></table:table-cell>"
    )


def write_ods(target, header: list[str], rows: Iterable[Iterable], sheet_title="Export") -> int:
    """Write an ODS document to the binary file ``target``; returns the number of data rows."""
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The media type comes first and uncompressed, as the OpenDocument format requires.
        archive.writestr(
            zipfile.ZipInfo("mimetype"), ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("styles.xml", _STYLES)
        with archive.open("content.xml", "w") as content:
            content.write(
                (
                    f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>'
                    f"{_BOLD}<office:body><office:spreadsheet>"
                    f"<table:table table:name={quoteattr(_NOT_XML.sub('', sheet_title[:31]))}>"
                    "<table:table-row>"
                    + "".join(cell(title, "head") for title in header)
                    + "</table:table-row>"
                ).encode()
            )
            chunk = []
            for row in rows:
                chunk.append(
                    "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
                )
                count += 1
                if len(chunk) >= ROWS_PER_WRITE:
                    content.write("".join(chunk).encode())
                    chunk = []
            content.write(
                (
                    "".join(chunk) + "</table:table></office:spreadsheet></office:body>"
                    "</office:document-content>"
                ).encode()
            )
    return count


def ods_response(filename: str, header, rows, sheet_title="Export") -> FileResponse:
    """A download of the ODS document, built in a temporary file then streamed from it."""
    handle = tempfile.TemporaryFile(prefix="ptce-ods-")  # noqa: SIM115 (closed by the response)
    write_ods(handle, header, rows, sheet_title)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=ODS_MIMETYPE)
