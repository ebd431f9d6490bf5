"""Metrics count requests by route and status; logs are one JSON object per line with a request id."""

import json

from prometheus_client.parser import text_string_to_metric_families


def samples(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_total(found, method, route, status):
    key = ("http_requests_total", (("method", method), ("route", route), ("status", status)))
    return found.get(key, 0)


def test_metrics_count_requests_by_route_template_and_status(client, project):
    for _ in range(3):
        client.get(f"/api/v1/projects/{project['id']}")
    client.get("/api/v1/projects/424242")
    client.get("/no/such/path")
    found = samples(client)
    route = "/api/v1/projects/<id:project_id>"
    assert requests_total(found, "GET", route, "200") == 3
    assert requests_total(found, "GET", route, "404") == 1
    assert requests_total(found, "GET", "<unmatched>", "404") == 1
    assert requests_total(found, "POST", "/api/v1/projects", "201") == 1
    latency_count = ("http_request_duration_seconds_count", (("method", "GET"), ("route", route)))
    assert found[latency_count] == 4
    assert found[("http_requests_in_flight", ())] == 1  # the scrape itself


def test_access_log_is_one_json_line_with_the_callers_request_id(client, capsys):
    capsys.readouterr()
    response = client.get("/api/v1/projects", headers={"X-Request-ID": "trace-abc-123"})
    assert response.headers["X-Request-ID"] == "trace-abc-123"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    access = [line for line in lines if line.get("path") == "/api/v1/projects"]
    assert len(access) == 1
    entry = access[0]
    assert entry["request_id"] == "trace-abc-123"
    assert (entry["method"], entry["status"], entry["level"]) == ("GET", 200, "info")
    assert entry["duration_ms"] >= 0 and entry["ts"].endswith("Z") and entry["msg"]


def test_request_id_is_generated_when_missing_or_unsafe(client, capsys):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    unsafe = client.get("/healthz", headers={"X-Request-ID": "<script>" + "x" * 200}).headers["X-Request-ID"]
    assert unsafe != generated and len(unsafe) == 32


def test_unexpected_errors_are_logged_as_json_and_answered_500_json(app, capsys):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    capsys.readouterr()
    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "kaboom" not in response.get_data(as_text=True)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    error = next(line for line in lines if line["level"] == "error")
    assert error["request_id"] == "req-500" and "RuntimeError: kaboom" in error["exc"]
