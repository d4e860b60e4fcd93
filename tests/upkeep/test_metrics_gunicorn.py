"""/metrics under gunicorn: requests served by two workers are all counted, on a port of its own (issue 21)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from remun.config import PROJECT_ROOT
from remun.database import upgrade
from remun.upkeep.checks import CheckResult, record_result, status_path

GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(GUNICORN is None, reason="gunicorn is not installed (pip install -e '.[serve]')")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url: str, process, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url}")


@pytest.fixture
def gunicorn_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'remun.sqlite3'}"
    upgrade(url)
    instance = tmp_path / "instance"
    app_port, metrics_port = free_port(), free_port()
    metrics_dir = tmp_path / "metrics"
    env = dict(os.environ, REMUN_DATABASE_URL=url, REMUN_INSTANCE_PATH=str(instance), REMUN_SECRET_KEY="test-only",
               REMUN_BIND=f"127.0.0.1:{app_port}", REMUN_WORKERS="2", REMUN_METRICS_BIND=f"127.0.0.1:{metrics_port}",
               PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    env.pop("REMUN_REDIS_URL", None)
    log = tmp_path / "gunicorn.log"  # a file, not a pipe: a full pipe would stall the workers
    with log.open("w") as log_file:
        process = subprocess.Popen([GUNICORN, "--config", str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py")],
                                   env=env, cwd=PROJECT_ROOT, stdout=log_file, stderr=log_file)
    try:
        wait_for(f"http://127.0.0.1:{app_port}/healthz", process, log)
        wait_for(f"http://127.0.0.1:{metrics_port}/metrics", process, log)
        yield f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{metrics_port}", metrics_dir, instance, log
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def counted(metrics: str, endpoint: str) -> float:
    pattern = re.compile(r'^remun_http_requests_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$', re.M)
    return sum(float(match["value"]) for match in pattern.finditer(metrics)
               if f'endpoint="{endpoint}"' in match["labels"] and 'status="200"' in match["labels"])


def worker_files(metrics_dir: Path) -> set[str]:
    return {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}


def test_metrics_count_requests_across_two_gunicorn_workers(gunicorn_server):
    app, metrics_url, metrics_dir, _instance, log = gunicorn_server
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Until both workers have answered some (each worker keeps its counts in a file of its own).
        while len(worker_files(metrics_dir)) < 2 and sent < 400:
            statuses = list(pool.map(lambda _: fetch(f"{app}/healthz")[0], range(20)))
            assert statuses == [200] * 20
            sent += 20
    assert len(worker_files(metrics_dir)) >= 2, "only one worker answered"
    status, metrics = fetch(f"{metrics_url}/metrics")
    assert status == 200
    assert counted(metrics, "health.healthz") == sent + 1  # and the one that waited for the server to start
    assert 'remun_http_request_duration_seconds_bucket{endpoint="health.healthz",le="0.1"}' in metrics
    # Not served by the app itself: /metrics is not public.
    assert fetch(f"{app}/metrics")[0] == 404
    # And each request left one JSON line in the log.
    assert sum('"endpoint": "health.healthz"' in line for line in log.read_text().splitlines()) == sent + 1


def test_metrics_show_the_scheduled_checks(gunicorn_server):
    _app, metrics_url, _metrics_dir, instance, _log = gunicorn_server
    record_result(status_path(instance), CheckResult("verify", True, "intact"))
    record_result(status_path(instance), CheckResult("rates", False, "2 overdue", {"overdue": 2}))
    _status, metrics = fetch(f"{metrics_url}/metrics")
    assert 'remun_check_ok{check="verify"} 1.0' in metrics
    assert 'remun_check_ok{check="rates"} 0.0' in metrics
    assert 'remun_check_failures_total{check="rates"} 1.0' in metrics
    assert "remun_rate_cards_overdue 2.0" in metrics
    since = float(re.search(r"^remun_verify_seconds_since_success (\S+)$", metrics, re.M)[1])
    assert 0 <= since < 60
