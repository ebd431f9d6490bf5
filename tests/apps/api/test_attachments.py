"""Attachments: presigned S3 PUT and GET URLs that really upload and download (moto's S3)."""

from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests
from moto import mock_aws

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


def test_upload_url_is_a_presigned_put_for_the_projects_prefix(client, project, s3):
    response = client.post(attachments_url(project["id"]), json={"filename": "design.pdf", "content_type": "application/pdf"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["key"].endswith("-design.pdf") and body["method"] == "PUT"
    url = urlparse(body["upload_url"])
    assert BUCKET in url.netloc and url.path.endswith(f"projects/{project['id']}/{body['key']}")
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert "content-type" in query["X-Amz-SignedHeaders"][0]


def test_uploaded_file_can_be_downloaded_through_the_get_url(client, project, s3):
    created = client.post(
        attachments_url(project["id"]), json={"filename": "notes.txt", "content_type": "text/plain"}
    ).get_json()
    put = requests.put(created["upload_url"], data=b"release notes", headers=created["headers"], timeout=5)
    assert put.status_code == 200
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
