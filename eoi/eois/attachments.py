"""Where attachments' bytes are kept: a folder outside the static one, under random names,
so nothing uploaded is ever served except through the permission-checked download."""

import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from eoi.eois import uploads
from eoi.refusals import FieldRefusal
from eoi.returns.file_text import personal_data_in_file


def upload_folder() -> Path:
    folder = Path(current_app.config["EOI_UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def path_of(stored_name: str) -> Path:
    # Stored names are ours (hex), never a person's file name, so they cannot climb out.
    if not stored_name.isalnum():
        raise ValueError(f"not a stored name: {stored_name!r}")
    return upload_folder() / stored_name


def store(content: bytes) -> tuple[str, str]:
    """Write the bytes under a new random name; return (stored name, SHA-256)."""
    stored_name = secrets.token_hex(24)
    target = path_of(stored_name)
    partial = target.with_name(stored_name + "partial")
    with open(partial, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    partial.rename(target)  # a half-written file is never found under its stored name
    return stored_name, hashlib.sha256(content).hexdigest()


def discard(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


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
