"""Bad client input always gets a 4xx JSON error naming the field, never a 500 or an HTML page."""

import pytest

PROJECTS = "/api/v1/projects"


def error_of(response):
    assert response.is_json, response.data[:200]
    return response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "required", "name"),
        ({"name": ""}, "invalid_length", "name"),
        ({"name": "   "}, "invalid_length", "name"),
        ({"name": "x" * 101}, "invalid_length", "name"),
        ({"name": 42}, "invalid_type", "name"),
        ({"name": None}, "invalid_type", "name"),
        ({"name": ["a"]}, "invalid_type", "name"),
        ({"name": "ok", "description": "d" * 2001}, "invalid_length", "description"),
        ({"name": "ok", "description": 7}, "invalid_type", "description"),
        ({"name": "ok", "owner": "me"}, "unknown_field", "owner"),
        ({"name": "nul\u0000byte"}, "control_character", "name"),
    ],
)
def test_project_body_errors_name_the_field(client, body, code, field):
    response = client.post(PROJECTS, json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert field in error["message"]


@pytest.mark.parametrize("raw", [b'{"name": "a\\ud800b"}', b'{"name": "\\udfff"}'])
def test_lone_surrogates_are_400_not_500(client, project, raw):
    for url, field in (("/api/v1/projects", "name"), (f"/api/v1/projects/{project['id']}", "name")):
        method = client.post if url == "/api/v1/projects" else client.patch
        response = method(url, data=raw, content_type="application/json")
        assert response.status_code == 400
        assert (error_of(response)["code"], error_of(response)["field"]) == ("invalid_value", field)
    item_raw = raw.replace(b'"name"', b'"title"')
    response = client.post(f"/api/v1/projects/{project['id']}/items", data=item_raw, content_type="application/json")
    assert response.status_code == 400 and error_of(response)["field"] == "title"


def test_boundary_lengths_are_accepted(client):
    response = client.post(PROJECTS, json={"name": "n" * 100, "description": "d" * 2000})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "required", "title"),
        ({"title": "t" * 201}, "invalid_length", "title"),
        ({"title": "ok", "done": "yes"}, "invalid_type", "done"),
        ({"title": "ok", "done": 1}, "invalid_type", "done"),
        ({"title": "ok", "done": None}, "invalid_type", "done"),
        ({"title": "ok", "priority": 1}, "unknown_field", "priority"),
    ],
)
def test_item_body_errors_name_the_field(client, project, body, code, field):
    response = client.post(f"{PROJECTS}/{project['id']}/items", json=body)
    assert response.status_code == 400
    assert (error_of(response)["code"], error_of(response)["field"]) == (code, field)


def test_empty_patch_is_400(client, project):
    response = client.patch(f"{PROJECTS}/{project['id']}", json={})
    assert response.status_code == 400
    assert error_of(response)["code"] == "empty_update"


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"name": "x",}', b"", b"\xff\xfe", b'{"name": NaN}', b"[" * 100000 + b"]" * 100000],
)
def test_malformed_json_is_400(client, raw):
    response = client.post(PROJECTS, data=raw, content_type="application/json")
    assert response.status_code in (400, 413)
    assert error_of(response)["code"] in ("malformed_json", "payload_too_large")


def test_deeply_nested_json_is_400_not_500(client):
    raw = b"[" * 20000 + b"]" * 20000
    response = client.post(PROJECTS, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


@pytest.mark.parametrize("raw", [b"[]", b'"name"', b"42", b"null", b"true"])
def test_non_object_body_is_400(client, raw):
    response = client.post(PROJECTS, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_body"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(client, content_type):
    kwargs = {"data": b'{"name": "x"}'}
    if content_type:
        kwargs["content_type"] = content_type
    response = client.post(PROJECTS, **kwargs)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_json_with_charset_is_accepted(client):
    response = client.post(PROJECTS, data=b'{"name": "x"}', content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_oversized_body_is_413_json(client):
    response = client.post(PROJECTS, json={"name": "x", "description": "d" * (70 * 1024)})
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_unknown_path_and_wrong_method_are_json(client, project):
    response = client.get("/nope")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = client.put(f"{PROJECTS}/{project['id']}", json={"name": "x"})
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"
    assert "PATCH" in response.headers["Allow"]


def test_database_errors_never_leak_as_500_for_client_input(client, project):
    # The widest values that pass validation still fit the columns.
    response = client.post(f"{PROJECTS}/{project['id']}/items", json={"title": "\U0001f680" * 200})
    assert response.status_code == 201
