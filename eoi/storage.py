"""Where files' bytes live: uploads (attachments, evidence, returns) and the documents the
service prepares in the background (panel packs, programme reports). One interface, so that
several web servers can share the files: a local folder by default (EOI_STORAGE=folder), an
S3-compatible bucket as a setting (EOI_STORAGE=s3, eoi.storage_s3).

Keys are ours, never a person's file name: an area ("uploads", "documents") and a random or
derived name of letters, digits, hyphens and dots."""

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from flask import current_app

CHUNK = 64 * 1024
_KEY = re.compile(r"(uploads|documents)/[A-Za-z0-9][A-Za-z0-9.-]{0,127}")


def checked_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, content: bytes) -> None:
        """Keep `content` under `key`, whole or not at all: a reader never sees half."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The bytes under `key`, a piece at a time; FileNotFoundError if there are none."""

    def read(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove `key` if it is there."""


class FolderStorage:
    """Files in a folder on this machine (EOI_STORAGE_FOLDER; by default the instance
    folder), outside the static folder, readable by the service's user only."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def put(self, key: str, content: bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = target.with_name(target.name + ".partial")
        try:
            with open(partial, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(target)  # a half-written file is never found under its key
        except BaseException:
            partial.unlink(missing_ok=True)  # a full disk, say: leave nothing behind
            raise

    def chunks(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def storage_for(config: Mapping) -> Storage:
    """The storage the settings choose (eoi.config checks them)."""
    if config.get("EOI_STORAGE", "folder") == "s3":
        from eoi.storage_s3 import S3Storage

        return S3Storage(config["EOI_S3_BUCKET"], prefix=config.get("EOI_S3_PREFIX") or "",
                         endpoint_url=config.get("EOI_S3_ENDPOINT_URL"))
    return FolderStorage(Path(config["EOI_STORAGE_FOLDER"]))


def storage() -> Storage:
    """The app's storage, made once per app."""
    found = current_app.extensions.get("eoi_storage")
    if found is None:
        found = storage_for(current_app.config)
        current_app.extensions["eoi_storage"] = found
    return found
