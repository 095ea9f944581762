"""Opening the ZIP files inside uploads (DOCX, XLSX and ODT are all ZIP files) without
letting one unpack without end. Pure: bytes in, names and members' bytes out.

A 1.1 GB zip bomb sent as milestone evidence once ran for five minutes in 3.5 GB of
memory. The limits below are read from the archive's central directory before anything
is unpacked, and kept again while each member is read, in chunks, so a directory that
lies about sizes gets no further than one that tells the truth.
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

TOO_LARGE = (
    "The selected file is too large once unpacked. Save it again with less in it, or "
    "split it into smaller files, and upload those"
)

_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"  # how each member's entry in the directory starts
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    # Ten times the largest upload: what 10MB of ordinary text and figures unpacks to.
    unpacked_bytes: int = 100 * 1024 * 1024
    # A long report with its images has a few hundred parts; a workbook fewer.
    members: int = 1000
    # Apache POI's limit for Office files: XML rarely packs tighter than 100 to 1, and a
    # bomb's zeros pack at 1,000 to 1. Members smaller than the grace are not held to it,
    # as a few kilobytes of repeated markup can pack tighter harmlessly.
    ratio: int = 100
    ratio_grace_bytes: int = 100 * 1024


UPLOADS = Limits()


class ArchiveRefused(ValueError):
    """The file cannot be read as an archive; the message says why, for the person."""


class NotAnArchive(ArchiveRefused):
    """Not a ZIP file at all, or a damaged one."""


class UnpacksTooLarge(ArchiveRefused):
    def __init__(self, message: str = TOO_LARGE):
        super().__init__(message)


class Archive:
    """A ZIP file whose directory is within the limits; read its members with read()."""

    def __init__(self, content: bytes, limits: Limits = UPLOADS):
        self.limits = limits
        self._unpacked = 0  # bytes read so far, from every member
        # Every entry in the directory starts with its signature, so counting them bounds
        # the work of parsing it, before zipfile makes an object for each.
        if content.count(_CENTRAL_DIRECTORY_ENTRY) > limits.members:
            raise UnpacksTooLarge
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(content))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise NotAnArchive("not a ZIP file") from None
        members = self._zip.infolist()
        if len(members) > limits.members:
            raise UnpacksTooLarge
        if sum(member.file_size for member in members) > limits.unpacked_bytes:
            raise UnpacksTooLarge
        if any(_too_packed(member.file_size, member.compress_size, limits)
               for member in members):
            raise UnpacksTooLarge
        if not _laid_out_in_turn(members, len(content)):
            raise NotAnArchive("members that overlap, or claim more room than they have")
        self._members = {member.filename: member for member in members}
        if len(self._members) < len(members):
            # Readers differ over which of two members with one name they take, so the
            # one we check might not be the one that is opened.
            raise NotAnArchive("two members with the same name")

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def read(self, name: str, *, at_most: int | None = None) -> bytes:
        """The member's bytes (its first `at_most` of them), read a chunk at a time and
        refused as soon as they pass what the directory declared, the ratio or what is
        left of the total."""
        chunks, length = [], 0
        for chunk in self._chunks(name):
            chunks.append(chunk)
            length += len(chunk)
            if at_most is not None and length >= at_most:
                break
        return b"".join(chunks)[:at_most]

    def read_every_member(self) -> None:
        """Unpack everything (and keep none of it), so a file whose members are not what
        its directory says is refused now, not when someone opens it."""
        for name in self._members:
            for _ in self._chunks(name):
                pass

    def _chunks(self, name: str) -> Iterator[bytes]:
        member = self._members[name]
        read = 0
        try:
            with self._zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    read += len(chunk)
                    self._unpacked += len(chunk)
                    if (read > member.file_size
                            or self._unpacked > self.limits.unpacked_bytes
                            or _too_packed(read, member.compress_size, self.limits)):
                        raise UnpacksTooLarge
                    yield chunk
        except ArchiveRefused:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
                RuntimeError):
            # A bad checksum, an unknown compression method or an encrypted member.
            raise NotAnArchive(f"cannot read {name}") from None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _laid_out_in_turn(members: list[zipfile.ZipInfo], size: int) -> bool:
    """Whether each member's packed bytes fit before the next member starts. A directory
    can otherwise point many members at one packed stream (the overlapping zip bomb), or
    claim a member is packed less tightly than it is, to pass the ratio."""
    starts = sorted(member.header_offset for member in members) + [size]
    ends = {start: end for start, end in zip(starts, starts[1:], strict=False)}
    return len(ends) == len(members) and all(
        member.header_offset + member.compress_size <= ends[member.header_offset]
        for member in members)


def _too_packed(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > limits.ratio_grace_bytes and unpacked > limits.ratio * max(packed, 1)
