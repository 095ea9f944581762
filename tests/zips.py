"""ZIP files for tests, made in memory: ordinary ones, zip bombs and ones whose directory
lies about what is inside."""

import io
import struct
import zipfile

DOCX_PARTS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
XLSX_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
ODT_PARTS = {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}

_ENTRY = b"PK\x01\x02"  # a member's entry in the central directory
_END = b"PK\x05\x06"  # the end of the central directory


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def members_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bomb(parts: dict[str, bytes], megabytes: int = 20,
             into: str = "word/document.xml") -> bytes:
    """The parts with one of them padded out with megabytes of zeros, which pack a
    thousand to one."""
    return zipped(parts | {into: parts.get(into, b"") + bytes(megabytes * 1024 * 1024)})


def declaring(content: bytes, name: str, *, file_size: int | None = None,
              compress_size: int | None = None) -> bytes:
    """The archive with the directory's entry for `name` claiming other sizes (the member's
    own header is left alone, as a crafted file would leave it)."""
    data = bytearray(content)
    at = _entry_of(data, name)
    if compress_size is not None:
        struct.pack_into("<I", data, at + 20, compress_size)
    if file_size is not None:
        struct.pack_into("<I", data, at + 24, file_size)
    return bytes(data)


def sharing_one_stream(content: bytes, name: str, copies: int) -> bytes:
    """The archive with `copies` more directory entries for the one member: the
    overlapping zip bomb, where every entry unpacks the same packed bytes."""
    data = bytearray(content)
    end = data.rindex(_END)
    entries, total, size, offset = struct.unpack_from("<HHII", data, end + 8)
    at = _entry_of(data, name)
    entry_length = 46 + sum(struct.unpack_from("<HHH", data, at + 28))
    entry = data[at:at + entry_length]
    added = b""
    for copy in range(copies):  # each with a name of its own, of the same length
        entry[46:46 + len(name)] = f"{copy:0{len(name)}d}".encode()
        added += entry
    directory_end = offset + size
    data[directory_end:directory_end] = added
    end += len(added)
    struct.pack_into("<HHII", data, end + 8, entries + copies, total + copies,
                     size + len(added), offset)
    return bytes(data)


def _entry_of(data: bytearray, name: str) -> int:
    at = data.index(_ENTRY)
    while True:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name.encode():
            return at
        at = data.index(_ENTRY, at + 4)
