"""Workbooks built byte by byte for the tests of the table reader and of every upload: an .xlsx from its sheet's
XML, and zip bombs (a small file whose sheet unpacks to a gigabyte), made in a fraction of a second."""

import struct
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MIB = 1 << 20

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{RELATIONSHIPS}/worksheet"/>'
    "</Relationships>"
)

# A part's content: bytes, or (bytes, times) pieces written one after another, each `times` over.
Content = bytes | list[tuple[bytes, int]]


def _deflate(content: Content) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, unpacked size). A piece repeated is compressed once: after a full flush the
    compressor starts afresh, so the same piece always gives the same bytes, which are then repeated."""
    pieces = [(content, 1)] if isinstance(content, bytes) else content
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream, crc, size = [], 0, 0
    for piece, times in pieces:
        block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
        stream.append(block * times)
        for _ in range(times):
            crc = zlib.crc32(piece, crc)
        size += len(piece) * times
    stream.append(compressor.flush())
    return b"".join(stream), crc, size


def archive(parts: dict[str, Content], *, stated_sizes: dict[str, int] | None = None) -> bytes:
    """A zip archive of the parts, deflated. `stated_sizes`: unpacked sizes to write in the archive's directory
    instead of the true ones (an archive that lies about what it unpacks to)."""
    body, directory = bytearray(), bytearray()
    for name, content in parts.items():
        data, crc, size = _deflate(content)
        size = (stated_sizes or {}).get(name, size)
        encoded = name.encode()
        offset = len(body)
        body += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0
        )
        body += encoded + data
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(body), 0)
    return bytes(body + directory + end)


def xlsx(sheet: Content, *, extra: dict[str, Content] | None = None, **options) -> bytes:
    """A workbook of one sheet, given the sheet's XML (`extra`: more parts, such as xl/sharedStrings.xml)."""
    parts: dict[str, Content] = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": PACKAGE_RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
        "xl/worksheets/sheet1.xml": sheet,
        **(extra or {}),
    }
    return archive(parts, **options)


def inline_row(number: int, *values: str) -> bytes:
    cells = "".join(
        f'<c r="{chr(ord("A") + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def sheet_xml(*rows: bytes, filler: bytes = b"", times: int = 0) -> list[tuple[bytes, int]]:
    """A sheet's XML: the rows, then `filler` written `times` over, inside the sheet's data."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}"><sheetData>'
    pieces = [(head.encode() + b"".join(rows), 1)]
    if times:
        pieces.append((filler, times))
    pieces.append((b"</sheetData></worksheet>", 1))
    return pieces


def zip_bomb(*header: str, unpacked: int = 1 << 30) -> bytes:
    """About a megabyte of .xlsx whose sheet holds a header row and then `unpacked` bytes of whitespace, as the
    probe of the security issue uploaded."""
    return xlsx(sheet_xml(inline_row(1, *(header or ("name",))), filler=b" " * MIB, times=unpacked // MIB))
