"""eoi.archives: ZIP uploads are opened within limits on what they unpack to, read from the
directory first and kept again while reading, so neither a zip bomb nor a directory that
lies gets through."""

import os
from dataclasses import replace

import pytest

from eoi.archives import TOO_LARGE, UPLOADS, Archive, Limits, NotAnArchive, UnpacksTooLarge
from tests.zips import DOCX_PARTS, declaring, sharing_one_stream, zip_bomb, zipped


def test_an_ordinary_document_is_read():
    with Archive(zipped(DOCX_PARTS)) as archive:
        assert archive.names == list(DOCX_PARTS)
        assert archive.read("word/document.xml") == b"<w:document/>"
        assert archive.read("word/document.xml", at_most=4) == b"<w:d"
        archive.read_every_member()


def test_what_is_not_a_zip_file_is_not_an_archive():
    for content in (b"", b"PK\x03\x04 not really", b"%PDF-1.7"):
        with pytest.raises(NotAnArchive):
            Archive(content)


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(monkeypatch):
    bomb = zip_bomb(DOCX_PARTS, megabytes=20)
    assert len(bomb) < 100_000
    monkeypatch.setattr(Archive, "_chunks", lambda *args: pytest.fail("unpacked"))

    with pytest.raises(UnpacksTooLarge, match="too large once unpacked") as refused:
        Archive(bomb)
    assert str(refused.value) == TOO_LARGE


def test_members_small_enough_may_pack_tighter_than_the_ratio():
    with Archive(zipped(DOCX_PARTS | {"word/styles.xml": bytes(50_000)})) as archive:
        archive.read_every_member()


def test_more_members_than_the_limit_are_refused():
    many = zipped({f"word/media/image{n}.png": b"x" for n in range(UPLOADS.members + 1)})
    with pytest.raises(UnpacksTooLarge):
        Archive(many)
    Archive(zipped({f"word/media/image{n}.png": b"x" for n in range(UPLOADS.members)}))


def test_members_that_together_unpack_past_the_total_are_refused():
    limits = Limits(unpacked_bytes=1_000_000)
    parts = {"a.bin": os.urandom(600_000), "b.bin": os.urandom(600_000)}  # incompressible
    with pytest.raises(UnpacksTooLarge):
        Archive(zipped(parts), limits)
    Archive(zipped({"a.bin": parts["a.bin"]}), limits).read_every_member()


def test_a_directory_that_understates_what_a_member_unpacks_to_is_refused_on_reading():
    lying = declaring(zip_bomb(DOCX_PARTS, megabytes=20), "word/document.xml",
                      file_size=50_000)
    archive = Archive(lying)  # the directory alone passes
    with pytest.raises(NotAnArchive):
        archive.read_every_member()


def test_a_directory_that_overstates_how_much_a_member_takes_up_is_refused():
    # Claiming 5MB packed for 20MB unpacked would pass the ratio; the member has no room
    # for 5MB before the next one starts.
    lying = declaring(zip_bomb(DOCX_PARTS, megabytes=20, into="[Content_Types].xml"),
                      "[Content_Types].xml", compress_size=5_000_000)
    with pytest.raises(NotAnArchive, match="more room"):
        Archive(lying)


def test_members_sharing_one_packed_stream_are_refused():
    overlapping = sharing_one_stream(zipped(DOCX_PARTS | {"word/media/a.bin": bytes(90_000)}),
                                     "word/media/a.bin", copies=1000 - 3)
    with pytest.raises(NotAnArchive, match="overlap"):
        Archive(overlapping)


def test_two_members_with_one_name_are_refused():
    twice = zipped({"word/document.xml": b"<w:document/>", "word/documenX.xml": b"<x/>"})
    with pytest.raises(NotAnArchive, match="same name"):
        Archive(twice.replace(b"word/documenX.xml", b"word/document.xml"))


def test_the_limits_are_kept_while_reading_whatever_the_directory_said():
    with Archive(zipped({"a.bin": os.urandom(300_000)})) as archive:
        archive.limits = replace(UPLOADS, unpacked_bytes=200_000)
        with pytest.raises(UnpacksTooLarge):
            archive.read("a.bin")


def test_an_encrypted_or_unknown_member_cannot_be_read():
    content = bytearray(zipped(DOCX_PARTS))
    at = content.index(b"PK\x01\x02")
    content[at + 8] |= 1  # the directory says the first member is encrypted
    with Archive(bytes(content)) as archive, pytest.raises(NotAnArchive):
        archive.read_every_member()
