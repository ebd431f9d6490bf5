"""Items of a project: create, list, read, update, delete; items never leak across projects."""


def items_url(project_id, item_id=None):
    base = f"/api/v1/projects/{project_id}/items"
    return base if item_id is None else f"{base}/{item_id}"


def test_create_defaults_done_to_false(client, project):
    response = client.post(items_url(project["id"]), json={"title": "write the runbook"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "write the runbook" and body["done"] is False
    assert body["project_id"] == project["id"]
    assert client.get(items_url(project["id"], body["id"])).get_json() == body


def test_patch_marks_done(client, project):
    item = client.post(items_url(project["id"]), json={"title": "deploy"}).get_json()
    response = client.patch(items_url(project["id"], item["id"]), json={"done": True})
    assert response.status_code == 200
    assert response.get_json()["done"] is True and response.get_json()["title"] == "deploy"
    assert client.get(items_url(project["id"], item["id"])).get_json()["done"] is True


def test_delete_item(client, project):
    item = client.post(items_url(project["id"]), json={"title": "x", "done": True}).get_json()
    assert client.delete(items_url(project["id"], item["id"])).status_code == 204
    assert client.get(items_url(project["id"], item["id"])).status_code == 404


def test_list_only_this_projects_items_paginated(client, project):
    other = client.post("/api/v1/projects", json={"name": "other"}).get_json()
    mine = [client.post(items_url(project["id"]), json={"title": f"t{i}"}).get_json()["id"] for i in range(5)]
    client.post(items_url(other["id"]), json={"title": "not mine"})
    page = client.get(items_url(project["id"]) + "?limit=2&offset=1").get_json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1
    assert [i["id"] for i in page["items"]] == mine[1:3]


def test_item_of_another_project_is_404(client, project):
    other = client.post("/api/v1/projects", json={"name": "other"}).get_json()
    item = client.post(items_url(other["id"]), json={"title": "theirs"}).get_json()
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(items_url(project["id"], item["id"]), json={"done": True})
        assert response.status_code == 404, method
    assert client.get(items_url(other["id"], item["id"])).get_json()["done"] is False


def test_items_of_a_missing_project_are_404(client):
    assert client.get(items_url(424242)).status_code == 404
    response = client.post(items_url(424242), json={"title": "orphan"})
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "project 424242 not found"
