"""Where files' bytes live (eoi.storage): the same behaviour from a folder and from an S3
bucket, the S3 one on a real S3-compatible server (moto's, on 127.0.0.1, started here), and
uploads kept and downloaded through the real pages with either, chosen by the settings."""

import io
import os
import uuid
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from eoi import create_app
from eoi.config import ConfigurationError, load_config
from eoi.eois.models import EoiAttachment
from eoi.extensions import db
from eoi.grants import operations as grants
from eoi.grants.models import MilestoneEvidence
from eoi.storage import CHUNK, FolderStorage
from eoi.storage_s3 import S3Storage
from tests.conftest import csrf_token, sign_in

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
KEY = "uploads/" + "ab12" * 12
REGION = "eu-west-2"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A local S3 server for this test process, and the AWS settings boto3 reads from the
    environment pointed at it (no real account, no profile of whoever runs the tests)."""
    nowhere = tmp_path_factory.mktemp("aws") / "none"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "eoi-tests")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "eoi-tests-secret")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_CONFIG_FILE", str(nowhere))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def bucket(s3_endpoint) -> str:
    name = f"eoi-{uuid.uuid4().hex[:12]}"
    _client(s3_endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def _client(endpoint: str):
    return boto3.session.Session().client("s3", endpoint_url=endpoint)


def _objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    """Everything in the bucket, read straight from the server."""
    client = _client(endpoint)
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in listed}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}


@pytest.fixture(params=["folder", "s3"])
def kept(request, tmp_path):
    """A storage of each kind, and what it holds, read without it."""
    if request.param == "folder":
        return FolderStorage(tmp_path), lambda: _files(tmp_path)
    endpoint = request.getfixturevalue("s3_endpoint")
    name = request.getfixturevalue("bucket")
    return (S3Storage(name, prefix="eoi", endpoint_url=endpoint),
            lambda: {key.removeprefix("eoi/"): body
                     for key, body in _objects(endpoint, name).items()})


# The same behaviour from either kind --------------------------------------------------------

def test_bytes_put_are_read_back_whole_and_in_pieces(kept):
    store, held = kept
    content = os.urandom(3 * CHUNK + 123)
    assert not store.exists(KEY)
    store.put(KEY, content)
    assert store.exists(KEY)
    assert store.read(KEY) == content
    pieces = list(store.chunks(KEY))
    assert b"".join(pieces) == content
    assert len(pieces) == 4 and all(len(piece) <= CHUNK for piece in pieces)
    assert held() == {KEY: content}  # under its key, and nothing else beside it


def test_a_second_put_replaces_the_first_whole(kept):
    store, held = kept
    store.put(KEY, b"first version, longer than the second")
    store.put(KEY, b"second")
    assert store.read(KEY) == b"second"
    assert held() == {KEY: b"second"}


def test_a_key_with_nothing_under_it_is_not_found(kept):
    store, _ = kept
    with pytest.raises(FileNotFoundError):
        store.read(KEY)
    with pytest.raises(FileNotFoundError):
        next(iter(store.chunks(KEY)))
    store.delete(KEY)  # nothing to delete is no error


def test_deleted_bytes_are_gone(kept):
    store, held = kept
    store.put(KEY, b"a,b\n1,2\n")
    store.put("documents/panel-pack-7.pdf", PDF_BYTES)
    store.delete(KEY)
    assert not store.exists(KEY)
    with pytest.raises(FileNotFoundError):
        store.read(KEY)
    assert held() == {"documents/panel-pack-7.pdf": PDF_BYTES}


@pytest.mark.parametrize("key", [
    "../uploads/x", "uploads/../../etc/passwd", "uploads/a..b", "other/abc", "uploads/",
    "uploads", "uploads/a b", "uploads/a/b", "/uploads/abc", "uploads/.hidden",
    "uploads/" + "a" * 129, "documents/é",
])
def test_keys_that_are_not_ours_are_refused_and_nothing_is_touched(kept, key):
    store, held = kept
    store.put(KEY, b"kept")
    for use in (lambda: store.put(key, b"x"), lambda: store.read(key),
                lambda: next(iter(store.chunks(key))), lambda: store.exists(key),
                lambda: store.delete(key)):
        with pytest.raises(ValueError, match="not a storage key"):
            use()
    assert held() == {KEY: b"kept"}


def test_a_folder_put_that_fails_leaves_the_last_version_and_nothing_half_written(
        tmp_path, monkeypatch):
    store = FolderStorage(tmp_path)
    store.put(KEY, b"whole")

    def disk_full(_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.put(KEY, b"never seen")
    assert store.read(KEY) == b"whole"
    assert _files(tmp_path) == {KEY: b"whole"}


def test_s3_keys_go_under_the_prefix_in_the_bucket(s3_endpoint, bucket):
    S3Storage(bucket, prefix="eoi/", endpoint_url=s3_endpoint).put(KEY, b"x")
    S3Storage(bucket, endpoint_url=s3_endpoint).put("documents/report-1.pdf", b"y")
    assert _objects(s3_endpoint, bucket) == {f"eoi/{KEY}": b"x", "documents/report-1.pdf": b"y"}


# Settings ---------------------------------------------------------------------------------

def test_folder_storage_by_default_finds_uploads_where_they_always_were(tmp_path):
    """Before the storage setting, attachments were kept in instance/uploads/<stored name>;
    the default folder is the instance folder, so the key uploads/<name> finds them."""
    config = load_config(tmp_path, environ={})
    assert config["EOI_STORAGE"] == "folder"
    assert config["EOI_STORAGE_FOLDER"] == str(tmp_path)
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / KEY.removeprefix("uploads/")).write_bytes(b"from before")
    app = create_app({"EOI_STORAGE_FOLDER": config["EOI_STORAGE_FOLDER"]})
    with app.app_context():
        from eoi.storage import storage

        assert storage().read(KEY) == b"from before"


def test_s3_settings_are_read(tmp_path):
    config = load_config(tmp_path, environ={
        "EOI_STORAGE": "s3", "EOI_S3_BUCKET": "mopac-eoi", "EOI_S3_PREFIX": "live/",
        "EOI_S3_ENDPOINT_URL": "https://s3.example.invalid"})
    assert (config["EOI_STORAGE"], config["EOI_S3_BUCKET"], config["EOI_S3_PREFIX"],
            config["EOI_S3_ENDPOINT_URL"]) == (
        "s3", "mopac-eoi", "live/", "https://s3.example.invalid")


@pytest.mark.parametrize("environ,message", [
    ({"EOI_STORAGE": "s3"}, "EOI_STORAGE=s3 needs EOI_S3_BUCKET"),
    ({"EOI_STORAGE": "s3", "EOI_S3_BUCKET": ""}, "EOI_STORAGE=s3 needs EOI_S3_BUCKET"),
    ({"EOI_STORAGE": "disk"}, "EOI_STORAGE must be folder or s3"),
    ({"EOI_UPLOAD_FOLDER": "/srv/eoi/uploads"}, "EOI_UPLOAD_FOLDER is replaced by"),
])
def test_storage_settings_that_cannot_work_are_refused(tmp_path, environ, message):
    with pytest.raises(ConfigurationError, match=message):
        load_config(tmp_path, environ=environ)


def test_production_refuses_to_start_on_s3_without_a_bucket(monkeypatch):
    for name, value in {"EOI_ENV": "production", "EOI_SECRET_KEY": "k" * 64,
                        "EOI_DATABASE_URL": "postgresql+psycopg://eoi@db.invalid/eoi",
                        "EOI_STORAGE": "s3"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("EOI_S3_BUCKET", raising=False)
    with pytest.raises(ConfigurationError, match="needs EOI_S3_BUCKET set to the bucket"):
        create_app()


# Through the pages, with each kind as the setting -------------------------------------------

@pytest.fixture(params=["folder", "s3"])
def service_storage(request, app, monkeypatch, tmp_path):
    """The test app with EOI_STORAGE set to each kind (its storage made again from the
    settings, as at start), and what that storage holds under uploads/, read without it."""
    if request.param == "folder":
        monkeypatch.setitem(app.config, "EOI_STORAGE_FOLDER", str(tmp_path))
        held = lambda: _files(tmp_path)  # noqa: E731
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        name = request.getfixturevalue("bucket")
        for setting, value in {"EOI_STORAGE": "s3", "EOI_S3_BUCKET": name,
                               "EOI_S3_PREFIX": "eoi/", "EOI_S3_ENDPOINT_URL": endpoint}.items():
            monkeypatch.setitem(app.config, setting, value)
        held = lambda: {key.removeprefix("eoi/"): body  # noqa: E731
                        for key, body in _objects(endpoint, name).items()}
    monkeypatch.delitem(app.extensions, "eoi_storage")
    yield request.param, held
    # The next test gets the app's own storage back (monkeypatch puts it back).


def _post_file(client, page_url: str, url: str, name: str, content: bytes):
    page = client.get(page_url)
    return client.post(url, content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(page.text),
                             "file": (io.BytesIO(content), name)})


def test_an_eoi_attachment_is_kept_downloaded_and_removed_through_the_pages(
        app, client, world, service_storage):
    kind, held = service_storage
    people, eoi = world
    sign_in(client, people["member"].email)
    response = _post_file(client, f"/eois/{eoi.id}/sections/need",
                          f"/eois/{eoi.id}/attachments", "Needs assessment.pdf", PDF_BYTES)
    assert response.status_code == 302
    attachment = db.session.scalar(select(EoiAttachment))
    assert held() == {f"uploads/{attachment.stored_name}": PDF_BYTES}
    if kind == "s3":
        assert not (Path(app.config["EOI_STORAGE_FOLDER"]) / "uploads"
                    / attachment.stored_name).exists()

    download = client.get(f"/eois/{eoi.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Needs assessment.pdf"')
    assert download.headers["Cache-Control"] == "no-store"

    page = client.get(f"/eois/{eoi.id}/sections/need")
    client.post(f"/eois/{eoi.id}/attachments/{attachment.id}/remove",
                data={"csrf_token": csrf_token(page.text)})
    assert held() == {}


def test_milestone_evidence_is_kept_and_downloaded_under_its_own_name(
        app, client, granted, service_storage):
    _, held = service_storage
    people, grant = granted
    milestone = grants.add_milestone(grant, title="Workers in post", evidence_required="Contracts",
                                     due_on=grant.starts_on, by=people["manager"])
    db.session.commit()
    sign_in(client, people["partner"].email)
    content = b"Worker,Started\nOutreach worker,2026-09-01\n"
    name = "Contrats signés, septembre.csv"
    response = _post_file(client, f"/grants/milestones/{milestone.id}",
                          f"/grants/milestones/{milestone.id}/evidence", name, content)
    assert response.status_code == 302
    evidence = db.session.scalar(select(MilestoneEvidence))
    assert held() == {f"uploads/{evidence.stored_name}": content}

    download = client.get(f"/grants/milestones/{milestone.id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    # As Flask's send_file wrote it before: an ASCII name, and the real one in filename*.
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Contrats signes, septembre.csv"; '
        "filename*=UTF-8''Contrats%20sign%C3%A9s%2C%20septembre.csv")
    assert download.headers["Cache-Control"] == "no-store"


def test_a_download_streams_the_stored_bytes_piece_by_piece(app, client, world,
                                                            service_storage):
    _, held = service_storage
    people, eoi = world
    sign_in(client, people["member"].email)
    # A CSV over several pieces (ordinary prose, nothing the privacy guard refuses).
    content = b"borough,note\n" + b"Bexley,sessions held weekly at the youth centre\n" * 4000
    assert len(content) > 2 * CHUNK
    _post_file(client, f"/eois/{eoi.id}/sections/need", f"/eois/{eoi.id}/attachments",
               "sessions.csv", content)
    attachment = db.session.scalar(select(EoiAttachment))
    download = client.get(f"/eois/{eoi.id}/attachments/{attachment.id}", buffered=False)
    assert download.is_streamed
    pieces = list(download.response)
    assert b"".join(pieces) == content and len(pieces) > 2
    download.close()
    assert held() == {f"uploads/{attachment.stored_name}": content}



@pytest.mark.parametrize("filename", [
    "Needs assessment.pdf", 'Café, "quoted" résumé.csv', "a;b=c's.pdf", "日本語.pdf"])
def test_a_download_is_named_as_flasks_send_file_named_it(app, tmp_path, monkeypatch, filename):
    """Downloads were Flask's send_file from the folder; now they stream from storage, and
    name the file exactly as before, whatever the name."""
    from flask import send_file

    from eoi.eois import attachments

    monkeypatch.setitem(app.extensions, "eoi_storage", FolderStorage(tmp_path))
    with app.test_request_context():
        stored_name, _ = attachments.store(b"a,b\n1,2\n")
        ours = attachments.download(stored_name, media_type="text/csv", filename=filename)
        before = send_file(io.BytesIO(b"a,b\n1,2\n"), mimetype="text/csv", as_attachment=True,
                           download_name=filename)
        assert ours.headers["Content-Disposition"] == before.headers["Content-Disposition"]
        assert ours.headers["Content-Type"] == before.headers["Content-Type"]
        assert b"".join(ours.response) == b"a,b\n1,2\n"
