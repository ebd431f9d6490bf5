"""CORS: the configured front-end origins may call the API (with preflight); others may not."""

ORIGIN = "http://localhost:5173"


def test_simple_request_from_an_allowed_origin_gets_allow_origin(client):
    response = client.get("/api/v1/projects", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert "X-Request-ID" in response.headers["Access-Control-Expose-Headers"]


def test_preflight_from_an_allowed_origin(client, project):
    response = client.options(
        f"/api/v1/projects/{project['id']}",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_errors_carry_cors_headers_so_the_browser_can_read_them(client):
    response = client.post("/api/v1/projects", json={}, headers={"Origin": ORIGIN})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_other_origins_get_no_cors_headers_and_preflight_is_403(client):
    response = client.get("/api/v1/projects", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        "/api/v1/projects", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    assert preflight.get_json()["error"]["code"] == "cors_origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_second_configured_origin_is_allowed_too(client):
    response = client.get("/healthz", headers={"Origin": "https://app.innovate.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.innovate.example"
