"""/api/v1/projects/<id>/attachments: presigned S3 uploads (POST, size-limited) and downloads (GET).

File bytes never pass through the API; S3 enforces the upload's size and content type.
"""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, current_app, jsonify

from .errors import ApiError, not_found
from .projects import get_owned_project, get_project
from .validation import Field, json_object, validate

bp = Blueprint("attachments", __name__, url_prefix="/api/v1/projects/<id:project_id>/attachments")

S3_CLIENT_KEY = "innovate_api.s3"
FILENAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}"
FILENAME_PATTERN = re.compile(rf"^{FILENAME}$")
KEY_PATTERN = re.compile(rf"^[0-9a-f]{{32}}-{FILENAME}$")
CONTENT_TYPE_PATTERN = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]{0,126}$")
ATTACHMENT_FIELDS = (
    Field("filename", str, required=True, min_length=1, max_length=200),
    Field("content_type", str, required=True, min_length=3, max_length=255),
)


def s3_client():
    """One boto3 S3 client per app, on the default credential chain (IRSA on EKS)."""
    client = current_app.extensions.get(S3_CLIENT_KEY)
    if client is None:
        import boto3
        from botocore.config import Config

        settings = current_app.extensions["innovate_api.settings"]
        client = boto3.client(
            "s3",
            region_name=settings.aws_region,
            endpoint_url=settings.s3_endpoint_url,
            config=Config(signature_version="s3v4", connect_timeout=2, read_timeout=5, retries={"max_attempts": 3}),
        )
        current_app.extensions[S3_CLIENT_KEY] = client
    return client


def _bucket() -> str:
    bucket = current_app.extensions["innovate_api.settings"].s3_bucket
    if bucket is None:
        raise ApiError(503, "attachments_unavailable", "attachments are not configured (S3_BUCKET is unset)")
    return bucket


def _object_key(project_id: int, key: str) -> str:
    return f"projects/{project_id}/{key}"


def _expires() -> int:
    return current_app.extensions["innovate_api.settings"].presign_expires_s


@bp.post("")
def create_upload_url(project_id: int):
    fields = validate(json_object(), ATTACHMENT_FIELDS)
    if not FILENAME_PATTERN.fullmatch(fields["filename"]):
        raise ApiError(
            400, "invalid_value",
            "filename must start with a letter or digit and use only letters, digits, '.', '_' and '-'",
            field="filename",
        )
    content_type = fields["content_type"].lower()
    if not CONTENT_TYPE_PATTERN.match(content_type):
        raise ApiError(400, "invalid_value", "content_type must be a media type like image/png", field="content_type")
    bucket = _bucket()
    get_owned_project(project_id)
    key = f"{uuid.uuid4().hex}-{fields['filename']}"
    limit = current_app.extensions["innovate_api.settings"].attachment_max_bytes
    post = _presign_post(bucket, _object_key(project_id, key), content_type, limit)
    return jsonify(
        {
            "key": key,
            "upload_url": post["url"],
            "method": "POST",
            "fields": post["fields"],
            "max_bytes": limit,
            "expires_in": _expires(),
        }
    ), 201


@bp.get("/<key>")
def read_download_url(project_id: int, key: str):
    bucket = _bucket()
    get_project(project_id)
    if not KEY_PATTERN.fullmatch(key):
        raise not_found(f"attachment {key!r}")
    _require_object(bucket, _object_key(project_id, key), key)
    # Always a download, never rendered inline: an uploaded text/html or SVG would otherwise run in
    # the bucket's origin. The stored Content-Type is kept (no ResponseContentType override).
    filename = key.split("-", 1)[1]  # KEY_PATTERN: <uuid hex>-<filename of FILENAME_PATTERN's characters>
    url = _presign("get_object", {"Bucket": bucket, "Key": _object_key(project_id, key),
                                  "ResponseContentDisposition": f'attachment; filename="{filename}"'})
    return jsonify({"key": key, "download_url": url, "expires_in": _expires()})


def _require_object(bucket: str, object_key: str, key: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3_client().head_object(Bucket=bucket, Key=object_key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise not_found(f"attachment {key!r}") from None
        raise _storage_unavailable(error) from None
    except BotoCoreError as error:
        raise _storage_unavailable(error) from None


def _presign(operation: str, params: dict) -> str:
    from botocore.exceptions import BotoCoreError

    try:
        return s3_client().generate_presigned_url(operation, Params=params, ExpiresIn=_expires())
    except BotoCoreError as error:  # e.g. no credentials in the default chain
        raise _storage_unavailable(error) from None


def _presign_post(bucket: str, object_key: str, content_type: str, limit: int) -> dict:
    """A browser-form POST that S3 itself refuses beyond ``limit`` bytes (content-length-range)."""
    from botocore.exceptions import BotoCoreError

    try:
        return s3_client().generate_presigned_post(
            Bucket=bucket,
            Key=object_key,  # with the bucket, an exact-match condition added by botocore
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, limit]],
            ExpiresIn=_expires(),
        )
    except BotoCoreError as error:
        raise _storage_unavailable(error) from None


def _storage_unavailable(error: Exception) -> ApiError:
    current_app.logger.warning("object storage unavailable: %s", error)
    return ApiError(503, "storage_unavailable", "object storage is unavailable, retry later")
