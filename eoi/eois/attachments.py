"""Where uploaded files' bytes are kept: the service's storage (eoi.storage, a folder outside
the static one or an S3 bucket), under random names, so nothing uploaded is ever served except
through the permission-checked download."""

import hashlib
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Response

from eoi.eois import uploads
from eoi.refusals import FieldRefusal
from eoi.returns.file_text import personal_data_in_file
from eoi.storage import storage

if TYPE_CHECKING:
    from eoi.eois.models import UploadedFile


def key_of(stored_name: str) -> str:
    # Stored names are ours (hex), never a person's file name, so they cannot climb out.
    if not stored_name.isalnum():
        raise ValueError(f"not a stored name: {stored_name!r}")
    return f"uploads/{stored_name}"


def store(content: bytes) -> tuple[str, str]:
    """Keep the bytes, whole or not at all, under a new random name; return (stored name,
    SHA-256)."""
    stored_name = secrets.token_hex(24)
    storage().put(key_of(stored_name), content)
    return stored_name, hashlib.sha256(content).hexdigest()


def discard(stored_name: str) -> None:
    storage().delete(key_of(stored_name))


def download_file(kept: "UploadedFile") -> Response:
    """A kept file's record (an EOI attachment, a milestone's or a claim's evidence) as its
    download."""
    return download(kept.stored_name, media_type=kept.media_type, filename=kept.filename)


def download(stored_name: str, *, media_type: str, filename: str) -> Response:
    """The file as a download under `filename`, streamed from storage a piece at a time, never
    kept by browsers or proxies. A file missing from storage fails here, before anything is
    sent, not halfway through the answer."""
    pieces = storage().chunks(key_of(stored_name))
    response = Response(_stream(next(pieces, b""), pieces), mimetype=media_type)
    # The Content-Disposition Flask's send_file gave: a plain ASCII name, and the name itself
    # in RFC 5987's filename* when it is not ASCII.
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        names = {"filename": simple,
                 "filename*": f"UTF-8''{quote(filename, safe='!#$&+-.^_`|~')}"}
    else:
        names = {"filename": filename}
    response.headers.set("Content-Disposition", "attachment", **names)
    response.headers["Cache-Control"] = "no-store"
    return response


def _stream(first: bytes, pieces: Iterator[bytes]) -> Iterator[bytes]:
    # Closed by the server when the answer ends or the client goes, this closes the storage's
    # file or connection too (itertools.chain would leave that to the garbage collector).
    try:
        yield first
        yield from pieces
    finally:
        if close := getattr(pieces, "close", None):
            close()


@dataclass(frozen=True)
class KeptFile:
    filename: str  # cleaned: the last part of the name only
    kind: uploads.FileKind
    stored_name: str
    sha256: str
    size_bytes: int

    def columns(self) -> dict:
        """What a record of the file (an UploadedFile) holds about it."""
        return {"filename": self.filename, "stored_name": self.stored_name,
                "media_type": self.kind.media_type, "size_bytes": self.size_bytes,
                "sha256": self.sha256}

    def __str__(self) -> str:
        return f"{self.filename} ({self.kind.title}, {self.size_bytes:,} bytes)"


@contextmanager
def kept(filename: str, content: bytes, *,
         refuse: Callable[[str, uploads.FileKind, bytes], str | None] | None = None,
         ) -> Iterator[KeptFile]:
    """Check the file by its content, and that its words hold nothing that looks like
    personal data (every file kept is read so: no caller can forget), keep its bytes and
    give what its record needs. A refusal (also one `refuse` names, as words) goes beside
    the file field. If the block that records the file fails, the bytes are discarded too:
    the record never existed."""
    try:
        name, kind = uploads.check_file(filename, content)
    except uploads.UploadRefused as refused:
        raise FieldRefusal("file", str(refused)) from None
    if problem := personal_data_in_file(name, kind.extension, content):
        raise FieldRefusal("file", problem)
    if refuse is not None and (problem := refuse(name, kind, content)):
        raise FieldRefusal("file", problem)
    stored_name, digest = store(content)
    try:
        yield KeptFile(name, kind, stored_name, digest, len(content))
    except Exception:
        discard(stored_name)
        raise
