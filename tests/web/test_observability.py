"""Logs a machine can read, a request id a person can quote, and metrics (issue 21)."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import REGISTRY

from remun.web.observability import REQUEST_LOG


@pytest.fixture
def request_lines():
    """The request log's lines, as written."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(message)s"))
    REQUEST_LOG.addHandler(handler)
    yield lines
    REQUEST_LOG.removeHandler(handler)


def test_one_json_line_per_request_without_personal_data(client_for, participant_user, request_lines):
    client = client_for(participant_user)
    person_id = participant_user.person_id
    answers = [
        client.get(f"/people/{person_id}/home"),
        client.get("/no-such-page?email=pat@example.org"),
        client.get("/healthz"),
        client_for(None).post("/sign-in", data={"email": "pat@example.org", "password": "wrong"}),
    ]
    assert answers[0].status_code == 200 and "Pat" in answers[0].get_data(as_text=True)  # the page is theirs
    assert len(request_lines) == len(answers)
    for line, answer in zip(request_lines, answers):
        entry = json.loads(line)
        assert set(entry) == {"time", "request_id", "method", "endpoint", "status", "duration_ms"}
        assert entry["status"] == answer.status_code
        assert entry["request_id"] == answer.headers["X-Request-ID"]
        assert "pat@example.org" not in line and "Pat" not in line and "Participant" not in line
        assert str(person_id) not in entry["endpoint"]
    assert json.loads(request_lines[1])["endpoint"] == "unknown"
    assert json.loads(request_lines[2])["endpoint"] == "health.healthz"


def test_the_error_page_shows_the_request_id(anonymous_client):
    response = anonymous_client.get("/no-such-page", headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "nginx-0123456789abcdef"
    assert "quote this reference: nginx-0123456789abcdef" in response.get_data(as_text=True)


def test_a_strange_request_id_is_replaced(anonymous_client):
    response = anonymous_client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response.headers["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_requests_are_counted_and_timed_by_endpoint(anonymous_client):
    labels = {"endpoint": "health.healthz", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("remun_http_requests_total", labels) or 0
    timed_before = REGISTRY.get_sample_value("remun_http_request_duration_seconds_count",
                                             {"endpoint": "health.healthz"}) or 0
    for _ in range(3):
        anonymous_client.get("/healthz")
    assert REGISTRY.get_sample_value("remun_http_requests_total", labels) == before + 3
    assert REGISTRY.get_sample_value("remun_http_request_duration_seconds_count",
                                     {"endpoint": "health.healthz"}) == timed_before + 3


def test_an_unexpected_error_shows_the_reference_and_is_logged(app, anonymous_client, request_lines, monkeypatch):
    from remun.web import permissions

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken-for-the-test", "broken_for_the_test", broken)
    monkeypatch.setitem(permissions.RULES, "broken_for_the_test", permissions.PUBLIC)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    response = anonymous_client.get("/broken-for-the-test")
    assert response.status_code == 500
    reference = response.headers["X-Request-ID"]
    assert f"quote this reference: {reference}" in response.get_data(as_text=True)
    entry = json.loads(request_lines[-1])
    assert entry["request_id"] == reference and entry["status"] == 500
