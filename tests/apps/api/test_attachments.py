"""Attachments: presigned S3 POST uploads and GET URLs that really upload and download (moto's S3).

moto stores POST uploads but does not evaluate the signed policy, so the size limit is shown
in the policy S3 evaluates (content-length-range), not by an oversize upload being refused.
"""

import base64
import json
from datetime import UTC, datetime

import boto3
import pytest
import requests
from moto import mock_aws

from innovate_api import ConfigError, load_settings

BUCKET = "innovate-attachments"  # conftest's bucket


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def attachments_url(project_id):
    return f"/api/v1/projects/{project_id}/attachments"


def policy_of(upload: dict) -> dict:
    return json.loads(base64.b64decode(upload["fields"]["policy"]))


def post_file(upload: dict, data: bytes, content_type: str):
    files = {"file": ("upload", data, content_type)}  # the file must be the form's last part
    return requests.post(upload["upload_url"], data=upload["fields"], files=files, timeout=5)


def test_upload_is_a_presigned_post_limited_in_size_type_and_key(client, project, s3):
    response = client.post(attachments_url(project["id"]), json={"filename": "design.pdf", "content_type": "application/pdf"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["key"].endswith("-design.pdf") and body["method"] == "POST"
    assert body["max_bytes"] == 10 * 1024 * 1024 and body["expires_in"] == 900
    assert BUCKET in body["upload_url"]
    object_key = f"projects/{project['id']}/{body['key']}"
    assert body["fields"]["key"] == object_key and body["fields"]["Content-Type"] == "application/pdf"
    policy = policy_of(body)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    assert {"bucket": BUCKET} in conditions and {"key": object_key} in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((expires - datetime.now(UTC)).total_seconds() - 900) < 60


def test_the_size_limit_comes_from_config(make_app, s3):
    client = make_app(ATTACHMENT_MAX_BYTES="2048").test_client()
    created = client.post("/api/v1/projects", json={"name": "limited"}).get_json()
    try:
        upload = client.post(attachments_url(created["id"]), json={"filename": "a.txt", "content_type": "text/plain"})
        assert upload.get_json()["max_bytes"] == 2048
        assert ["content-length-range", 1, 2048] in policy_of(upload.get_json())["conditions"]
    finally:
        client.delete(f"/api/v1/projects/{created['id']}")


@pytest.mark.parametrize("value", ["0", "-1", str(5 * 1024**3 + 1), "lots"])
def test_a_bad_size_limit_names_the_variable(value):
    with pytest.raises(ConfigError) as error:
        load_settings({"DATABASE_URL": "postgresql://u@h/db", "ATTACHMENT_MAX_BYTES": value})
    assert error.value.name == "ATTACHMENT_MAX_BYTES"


def test_uploaded_file_can_be_downloaded_through_the_get_url(client, project, s3):
    created = client.post(
        attachments_url(project["id"]), json={"filename": "notes.txt", "content_type": "text/plain"}
    ).get_json()
    post = post_file(created, b"release notes", "text/plain")
    assert post.status_code == 204, post.text
    stored = s3.get_object(Bucket=BUCKET, Key=f"projects/{project['id']}/{created['key']}")
    assert stored["Body"].read() == b"release notes" and stored["ContentType"] == "text/plain"

    response = client.get(f"{attachments_url(project['id'])}/{created['key']}")
    assert response.status_code == 200
    download = requests.get(response.get_json()["download_url"], timeout=5)
    assert download.status_code == 200 and download.content == b"release notes"


def test_download_url_of_a_missing_attachment_is_404(client, project, s3):
    missing = "0" * 32 + "-nothing.txt"
    assert client.get(f"{attachments_url(project['id'])}/{missing}").status_code == 404
    assert client.get(f"{attachments_url(project['id'])}/..%2F..%2Fetc").status_code == 404
    assert client.get(f"{attachments_url(project['id'])}/not-a-key").status_code == 404
    assert client.get(f"{attachments_url(project['id'])}/{'0' * 32}-a.txt%0A").status_code == 404


def test_attachment_of_a_missing_project_is_404(client, s3):
    response = client.post(attachments_url(99999), json={"filename": "a.txt", "content_type": "text/plain"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "text/plain"}, "filename"),
        ({"filename": "../../etc/passwd", "content_type": "text/plain"}, "filename"),
        ({"filename": ".hidden", "content_type": "text/plain"}, "filename"),
        ({"filename": "a b.txt", "content_type": "text/plain"}, "filename"),
        ({"filename": "a.txt"}, "content_type"),
        ({"filename": "a.txt", "content_type": "not a type"}, "content_type"),
        ({"filename": "a.txt", "content_type": 5}, "content_type"),
        ({"filename": "a.txt", "content_type": "text/plain", "acl": "public-read"}, "acl"),
    ],
)
def test_bad_attachment_requests_name_the_field(client, project, s3, body, field):
    response = client.post(attachments_url(project["id"]), json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_without_a_bucket_attachments_answer_503(make_app):
    app = make_app(S3_BUCKET="")
    response = app.test_client().post(attachments_url(1), json={"filename": "a.txt", "content_type": "text/plain"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "attachments_unavailable"


@pytest.mark.parametrize(("filename", "content_type"), [("page.html", "text/html"), ("logo.svg", "image/svg+xml")])
def test_downloads_are_attachments_with_the_stored_type_never_inline(client, project, s3, filename, content_type):
    created = client.post(attachments_url(project["id"]), json={"filename": filename, "content_type": content_type}).get_json()
    assert post_file(created, b"<script>alert(1)</script>", content_type).status_code == 204
    url = client.get(f"{attachments_url(project['id'])}/{created['key']}").get_json()["download_url"]
    assert "response-content-disposition=attachment" in url  # signed into the URL: S3 applies it
    download = requests.get(url, timeout=5)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert download.headers["Content-Type"] == content_type
