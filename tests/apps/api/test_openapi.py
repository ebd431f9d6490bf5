"""apps/api/openapi.yaml describes exactly the routes the app serves, and real responses match it."""

import re

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from innovate_api.openapi import OPENAPI_PATH

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document():
    return yaml.safe_load(OPENAPI_PATH.read_text())


def served_operations(app):
    operations = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        operations |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def described_operations(document):
    return {(path, method) for path, item in document["paths"].items() for method in item if method in HTTP_METHODS}


def test_every_route_is_described_and_every_description_is_served(app, document):
    assert document["openapi"].startswith("3.1")
    served, described = served_operations(app), described_operations(document)
    assert served - described == set(), "routes missing from openapi.yaml"
    assert described - served == set(), "openapi.yaml describes routes the app does not serve"


def test_every_path_parameter_is_declared(document):
    for path, item in document["paths"].items():
        declared = {p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in item.get("parameters", [])}
        names = set(re.findall(r"{([^}]+)}", path))
        resolved = {
            document["components"]["parameters"][d]["name"] if d in document["components"]["parameters"] else d
            for d in declared
        }
        assert names == resolved, path


def test_served_document_is_the_committed_file(client):
    response = client.get("/openapi.yaml")
    assert response.status_code == 200 and "yaml" in response.content_type
    assert response.get_data(as_text=True) == OPENAPI_PATH.read_text()


def validator_for(document, schema_name):
    registry = Registry().with_resource("urn:openapi", Resource(contents=document, specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{schema_name}"}, registry=registry)


def test_real_responses_match_the_described_schemas(client, document):
    project = client.post("/api/v1/projects", json={"name": "spec", "description": None}).get_json()
    item = client.post(f"/api/v1/projects/{project['id']}/items", json={"title": "t"}).get_json()
    cases = {
        "Project": project,
        "Item": item,
        "ProjectPage": client.get("/api/v1/projects").get_json(),
        "ItemPage": client.get(f"/api/v1/projects/{project['id']}/items").get_json(),
        "Error": client.post("/api/v1/projects", json={"nope": 1}).get_json(),
        "Status": client.get("/healthz").get_json(),
        "Me": client.get("/api/v1/me").get_json(),
    }
    for name, body in cases.items():
        errors = list(validator_for(document, name).iter_errors(body))
        assert errors == [], (name, [e.message for e in errors])
    assert list(validator_for(document, "ProjectCreate").iter_errors({"name": "x", "extra": 1}))


def test_every_authenticated_operation_lists_503_for_identity_unavailable(document):
    """identity.py answers 503 identity_unavailable before any route runs when the ALB's keys cannot be fetched."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS and "401" in operation["responses"]:
                assert operation["responses"].get("503") == {"$ref": "#/components/responses/Unavailable"}, (method, path)
    assert "identity_unavailable" in document["components"]["responses"]["Unavailable"]["description"]
