"""PDF files for tests, written by hand so that names can be escaped and objects packed
into compressed object streams, as a crafted file would have them."""

import zlib


def pdf(objects: dict[int, bytes], *, packed: frozenset[int] = frozenset()) -> bytes:
    """A PDF whose catalogue is object 1, with a cross-reference stream. The objects in
    `packed` go into one compressed object stream, where only a reader that unpacks it
    sees them."""
    stream_number = max(objects) + 1
    xref_number = stream_number + 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries = {0: (0, 0, 65535)}
    for number, body in objects.items():
        if number not in packed:
            entries[number] = (1, len(out), 0)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if packed:
        header, data = [], b""
        for index, number in enumerate(sorted(packed)):
            header.append(b"%d %d" % (number, len(data)))
            data += objects[number] + b"\n"
            entries[number] = (2, stream_number, index)
        first = b" ".join(header) + b"\n"
        body = zlib.compress(first + data)
        entries[stream_number] = (1, len(out), 0)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
                b"/Length %d >>\nstream\n" % (stream_number, len(packed), len(first), len(body))
                + body + b"\nendstream\nendobj\n")
    entries[xref_number] = (1, len(out), 0)
    size = xref_number + 1
    table = b"".join(bytes([kind]) + field.to_bytes(4, "big") + gen.to_bytes(2, "big")
                     for kind, field, gen in (entries.get(n, (0, 0, 0)) for n in range(size)))
    xref_at = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\n"
            b"stream\n" % (xref_number, size, len(table)) + table
            + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"


def one_page(catalogue_extra: bytes = b"", page_extra: bytes = b"",
             more: dict[int, bytes] | None = None, packed: frozenset[int] = frozenset()
             ) -> bytes:
    """An empty A4 page, with whatever the catalogue and the page are given besides."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R " + catalogue_extra + b">>", 2: PAGES,
               3: PAGE[:-2] + page_extra + b" >>"} | (more or {})
    return pdf(objects, packed=packed)
