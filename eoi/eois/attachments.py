"""Where attachments' bytes are kept: a folder outside the static one, under random names,
so nothing uploaded is ever served except through the permission-checked download."""

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app


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
