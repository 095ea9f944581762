"""Files in an S3 bucket (AWS, or any S3-compatible service at EOI_S3_ENDPOINT_URL), so that
several web servers share them. Region and credentials come from the usual AWS settings
(AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile or an instance
role), read by boto3 itself."""

from collections.abc import Iterator

import boto3
from botocore.exceptions import ClientError

from eoi.storage import CHUNK, checked_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3Storage:
    """Keys under EOI_S3_PREFIX in EOI_S3_BUCKET. A put is one PutObject, which S3 keeps
    whole or not at all, so a reader never sees half a file."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None):
        if not bucket:
            raise ValueError("S3 storage needs a bucket")
        self.bucket = bucket
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        # A session of its own: boto3's default session is not safe to share between the
        # threads of a worker, its clients are.
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None)

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def put(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=content)

    def _body(self, key: str):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise

    def chunks(self, key: str) -> Iterator[bytes]:
        body = self._body(key)
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def read(self, key: str) -> bytes:
        body = self._body(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))  # none: no error
