"""Projects: create, list with pagination, read, update, delete, unique names."""

from datetime import datetime


def test_create_returns_the_project(client):
    response = client.post("/api/v1/projects", json={"name": "checkout", "description": "pays"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "checkout" and body["description"] == "pays"
    assert isinstance(body["id"], int)
    assert datetime.fromisoformat(body["created_at"]) <= datetime.fromisoformat(body["updated_at"])
    assert body["created_at"].endswith("Z")


def test_description_is_optional(client):
    body = client.post("/api/v1/projects", json={"name": "search"}).get_json()
    assert body["description"] is None


def test_read_returns_what_was_created(client, project):
    response = client.get(f"/api/v1/projects/{project['id']}")
    assert response.status_code == 200
    assert response.get_json() == project


def test_duplicate_name_is_409_naming_the_field(client, project):
    response = client.post("/api/v1/projects", json={"name": project["name"]})
    assert response.status_code == 409
    assert response.get_json()["error"]["field"] == "name"
    assert response.get_json()["error"]["code"] == "conflict"


def test_rename_onto_an_existing_name_is_409(client, project):
    other = client.post("/api/v1/projects", json={"name": "other"}).get_json()
    response = client.patch(f"/api/v1/projects/{other['id']}", json={"name": project["name"]})
    assert response.status_code == 409
    assert client.get(f"/api/v1/projects/{other['id']}").get_json()["name"] == "other"


def test_patch_changes_only_given_fields_and_bumps_updated_at(client, project):
    response = client.patch(f"/api/v1/projects/{project['id']}", json={"description": None})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == project["name"] and body["description"] is None
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(project["updated_at"])
    assert client.get(f"/api/v1/projects/{project['id']}").get_json() == body


def test_delete_removes_the_project_and_its_items(client, project):
    item = client.post(f"/api/v1/projects/{project['id']}/items", json={"title": "ship it"}).get_json()
    assert client.delete(f"/api/v1/projects/{project['id']}").status_code == 204
    assert client.get(f"/api/v1/projects/{project['id']}").status_code == 404
    assert client.get(f"/api/v1/projects/{project['id']}/items/{item['id']}").status_code == 404
    assert client.delete(f"/api/v1/projects/{project['id']}").status_code == 404


def test_missing_project_is_json_404(client):
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)("/api/v1/projects/999999", json={"name": "x"})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


def test_ids_out_of_range_or_not_numeric_are_404_not_500(client):
    for bad in ("0", "-1", "abc", "99999999999999999999999", "1.5"):
        response = client.get(f"/api/v1/projects/{bad}")
        assert response.status_code == 404, bad
        assert response.is_json


def test_list_paginates_in_creation_order(client):
    ids = [client.post("/api/v1/projects", json={"name": f"p{i:02}"}).get_json()["id"] for i in range(25)]
    first = client.get("/api/v1/projects").get_json()
    assert (first["total"], first["limit"], first["offset"]) == (25, 20, 0)
    assert [p["id"] for p in first["items"]] == ids[:20]
    rest = client.get("/api/v1/projects?limit=10&offset=20").get_json()
    assert [p["id"] for p in rest["items"]] == ids[20:]
    assert client.get("/api/v1/projects?offset=100").get_json()["items"] == []
    assert len(client.get("/api/v1/projects?limit=100").get_json()["items"]) == 25


def test_bad_pagination_is_400_naming_the_parameter(client):
    for query, field in [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=", "limit"),
        ("offset=-1", "offset"), ("offset=1e3", "offset"), ("limit=%D9%A3", "limit"),
    ]:
        response = client.get(f"/api/v1/projects?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["field"] == field, query
