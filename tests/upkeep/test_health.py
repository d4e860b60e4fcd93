"""/healthz and /readyz: cheap, open to load balancers without signing in, showing no data (issue 21)."""

from __future__ import annotations

import uuid

import pytest
from alembic.script import ScriptDirectory

from remun.database import downgrade, alembic_config, upgrade


@pytest.fixture
def app_on(tmp_path, monkeypatch):
    """app_on(url, **env) -> an app on that database; its connections are closed afterwards."""
    from remun import create_app
    from remun.web.extensions import db

    made = []

    def make(url, **env):
        monkeypatch.setenv("REMUN_DATABASE_URL", url)
        monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path / "instance"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        made.append(create_app({"TESTING": True, "SECRET_KEY": "test-only"}))
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            for engine in db.engines.values():
                engine.dispose()


def test_healthz_answers_without_signing_in(anonymous_client):
    response = anonymous_client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_on_a_migrated_database_and_shows_no_data(anonymous_client, admin_user):
    response = anonymous_client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["migrations"].startswith("at ")
    assert "redis" not in response.json["checks"]  # not configured, so not required
    assert b"admin@example.org" not in response.data


def test_readyz_fails_when_the_database_is_behind_its_migrations(empty_database_url, app_on):
    script = ScriptDirectory.from_config(alembic_config(empty_database_url))
    previous = script.get_revision(script.get_current_head()).down_revision
    upgrade(empty_database_url, previous)
    app = app_on(empty_database_url)
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json["status"] == "not ready"
        assert "run remun migrate" in response.json["checks"]["migrations"]
    finally:
        from remun.web.extensions import db

        with app.app_context():
            db.engine.dispose()
        downgrade(empty_database_url, "base")  # the empty database is shared: leave it empty


def test_readyz_fails_when_the_database_is_unreachable(app_on):
    app = app_on("postgresql+psycopg://nobody@127.0.0.1:1/remun")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_readyz_fails_when_redis_is_configured_but_unreachable(database_url, app_on):
    app = app_on(database_url, REMUN_REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"].startswith("unreachable")


def _local_redis():
    from redis import Redis

    # A database of its own, so workers of other runs on this machine are not counted.
    connection = Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=1)
    try:
        connection.ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis at 127.0.0.1:6379")
    return connection


def test_readyz_needs_a_job_worker_seen_recently_when_redis_is_configured(database_url, app_on):
    from rq import Queue, Worker

    connection = _local_redis()
    app = app_on(database_url, REMUN_REDIS_URL="redis://127.0.0.1:6379/13")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "ok"
    assert "no job worker" in response.json["checks"]["workers"]

    worker = Worker([Queue("remun", connection=connection)], connection=connection, name=f"test-{uuid.uuid4().hex}")
    worker.register_birth()
    try:
        worker.heartbeat()
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.json
        assert response.json["checks"]["workers"] == "1 seen recently"
    finally:
        worker.register_death()
