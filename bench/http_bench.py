"""HTTP benchmark: the parity page and a statement under wrk, against gunicorn on loopback.

    .venv/bin/python bench/http_bench.py --url postgresql+psycopg://postgres@127.0.0.1/remun_bench
    .venv/bin/python bench/http_bench.py --url ... --connections 16 --seconds 20

Starts gunicorn with deploy/gunicorn.conf.py (sync workers, one per core
unless REMUN_WORKERS says otherwise) on a free port (and, with --ref main,
the same for that git ref's code, beside it in the same run), signs in as the
benchmark administrator by making a session cookie with the app's own secret
key, then runs ``wrk --latency`` on the parity page, the organisation dashboard
and a statement, and prints requests/s, p50/p99 latency and the load average; then the dashboard's first
two requests after each of twelve organisation-wide changes (every report made again). Needs Debian's wrk (``make bench`` installs it when run as
root) and a database filled by bench/generate.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_EMAIL = "bench-admin@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie(app) -> str:
    """A signed session cookie for the benchmark administrator, as sign-in would make."""
    from flask import session
    from sqlalchemy import select

    from remun.accounts.models import User
    from remun.accounts import sign_in_sessions
    from remun.web.auth import login_manager
    from remun.web.extensions import db

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        if admin is None:
            raise SystemExit("Fill the database with bench/generate first (it makes the benchmark administrator).")
        key = sign_in_sessions.start(db.session, admin)  # a session on the server, as signing in makes
        db.session.commit()
        data = {"_user_id": key, "_fresh": True, "_id": login_manager._session_identifier_generator()}
        del session
        return app.session_interface.get_signing_serializer(app).dumps(data)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> dict:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {share: _ms(*re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups())
               for share in ("50", "99")}
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)  # wrk gives up on a request after 2 s
    return {"requests": requests, "requests_per_second": rate, "p50_ms": latency["50"], "p99_ms": latency["99"],
            "non_2xx": int(errors.group(1)) if errors else 0, "timeouts": int(timeouts.group(1)) if timeouts else 0}


def worker_cpu_seconds(master_pid: int) -> dict[int, float]:
    """CPU seconds (user and system) used so far by each of gunicorn's workers, by process id: the
    server's own cost per request, apart from wrk's and the database's on this shared machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return {}
    used = {}
    for pid in map(int, children):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime and stime (fields 14 and 15)
    return used


def cpu_ms_per_request(before: dict[int, float], after: dict[int, float], requests: int) -> float | None:
    """None when a worker was restarted meanwhile (max_requests), as its CPU time would be lost."""
    if not before or before.keys() != after.keys() or not requests:
        return None
    return sum(after[pid] - before[pid] for pid in before) * 1000 / requests


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REMUN_DATABASE_URL"), required=not os.environ.get("REMUN_DATABASE_URL"))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--ref", default=os.environ.get("BENCH_REF"),
                        help="also serve this git ref's code (for example main) from the same database, after this code's")
    parser.add_argument("--only", choices=("parity", "dashboard", "statement"), action="append",
                        help="measure only this page (repeatable); all three by default")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: run 'make bench' as root, or 'apt-get install wrk'.")
    env = {**os.environ, "REMUN_DATABASE_URL": args.url, "REMUN_SECRET_KEY": os.environ.get("REMUN_SECRET_KEY", "bench-only"),
           "REMUN_HTTPS": "0"}
    os.environ.update({key: env[key] for key in ("REMUN_DATABASE_URL", "REMUN_SECRET_KEY", "REMUN_HTTPS")})

    from sqlalchemy import select

    from remun import create_app
    from remun.project_records.models import Person, Project
    from remun.web.extensions import db

    app = create_app()
    with app.app_context():
        rng = random.Random(7)
        project_id = rng.choice(db.session.scalars(select(Project.id)).all())
        person_id = rng.choice(db.session.scalars(select(Person.id)).all())
    cookie = session_cookie(app)

    trees = [("this code", ROOT)]
    if args.ref:  # the previous code, served from the same database beside this code's figures
        trees.append((args.ref, checkout(args.ref)))
    pages = (("parity page", f"/projects/{project_id}/parity", (300, 100)),
             ("organisation dashboard", "/parity", None),
             ("statement", f"/people/{person_id}/statement", None))
    if args.only:
        pages = tuple(page for page, key in zip(pages, ("parity", "dashboard", "statement")) if key in args.only)
    results = []
    try:
        for label, tree in trees:
            results += serve_and_measure(label, tree, env, cookie, pages, args)
    finally:
        for _label, tree in trees[1:]:
            shutil.rmtree(tree, ignore_errors=True)
    return results


def checkout(ref: str) -> Path:
    """The files of ``ref`` (git archive, so the repository is left as it is), with this tree's
    compiled catalogues (they are not in git)."""
    import io
    import tarfile
    import tempfile

    target = Path(tempfile.mkdtemp(prefix="remun-bench-ref-"))
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    for compiled in (ROOT / "remun" / "translations").glob("*/LC_MESSAGES/*.mo"):
        destination = target / compiled.relative_to(ROOT)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(compiled, destination)
    return target


def dashboard_after_changes(label: str, base: str, cookie: str, url: str, rounds: int = 12) -> dict:
    """The dashboard's first two requests after each of ``rounds`` organisation-wide changes (a new figures
    token, as a change to the settings or rate figures makes): every report made again, by each worker that
    serves one. A pause after each round leaves the work done once a page has gone to be done."""
    import statistics

    from sqlalchemy import create_engine

    from bench.pages_bench import move_organisation_version, percentile

    engine = create_engine(url)
    request = urllib.request.Request(base + "/parity", headers={"Cookie": f"session={cookie}"})

    def get() -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            if response.status != 200 or response.geturl() != base + "/parity":
                raise SystemExit("GET /parity did not give the page")
        return (time.perf_counter() - started) * 1000

    time.sleep(2)  # the requests wrk left queued when it stopped are still being served: not ours to wait for
    load = os.getloadavg()[0]
    first, second = [], []
    try:
        for _round in range(rounds):
            with engine.begin() as connection:
                move_organisation_version(connection)
            first.append(get())
            second.append(get())
            time.sleep(1)
    finally:
        engine.dispose()
    both = first + second
    p95 = percentile(both, 0.95)
    print(f"  dashboard after an organisation-wide change, {rounds} rounds: first request median "
          f"{statistics.median(first):.1f} ms, second {statistics.median(second):.1f} ms; p95 of both {p95:.1f} ms, "
          f"slowest {max(both):.1f} ms   load average {load:.1f} before, {os.getloadavg()[0]:.1f} after  "
          f"{'met' if p95 < 300 else 'NOT met'} (target < 300 ms)\n    each round, first and second (ms): "
          + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in zip(first, second)), flush=True)
    return {"code": label, "case": "dashboard after an organisation-wide change", "first_median_ms":
            statistics.median(first), "second_median_ms": statistics.median(second), "p95_ms": p95, "load_average": load}


def serve_and_measure(label: str, tree: Path, env: dict, cookie: str, pages, args) -> list[dict]:
    port = free_port()
    env = {**env, "REMUN_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(tree)}
    # stderr is a pipe read only if gunicorn stops: a JSON line per request would fill it and stall the workers.
    env["REMUN_REQUEST_LOG"] = "off"
    env["REMUN_METRICS_BIND"] = ""  # no metrics server: it could clash with one already running
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(tree / "deploy" / "gunicorn.conf.py")],
                              env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    results = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{base}/sign-in", timeout=2)
                break
            except OSError:  # not listening yet, or still starting (URLError, refused, timed out)
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn stopped: {server.stderr.read()[-2000:]}")
                time.sleep(0.2)
        workers = env.get("REMUN_WORKERS", str(os.cpu_count()))
        print(f"{label} ({tree}): gunicorn, {workers} sync workers; wrk {args.threads} threads, {args.connections} "
              f"connections, {args.seconds} s per page", flush=True)
        for name, path, target in pages:
            request = urllib.request.Request(base + path, headers={"Cookie": f"session={cookie}"})
            for _warm in range(2):  # warm both workers' kept reports, and prove we are signed in
                with urllib.request.urlopen(request, timeout=120) as response:
                    if response.status != 200 or response.geturl() != base + path:
                        raise SystemExit(f"GET {path} did not give the page (sign-in failed?)")
            load = os.getloadavg()[0]
            cpu_before = worker_cpu_seconds(server.pid)
            completed = subprocess.run(
                ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                 "-H", f"Cookie: session={cookie}", base + path], capture_output=True, text=True, check=True)
            figures = parse_wrk(completed.stdout)
            figures["worker_cpu_ms"] = cpu_ms_per_request(cpu_before, worker_cpu_seconds(server.pid), figures["requests"])
            cpu = "n/a (a worker restarted)" if figures["worker_cpu_ms"] is None else f"{figures['worker_cpu_ms']:.2f} ms"
            verdict = ""
            if target:
                met = figures["requests_per_second"] >= target[0] and figures["p99_ms"] < target[1]
                verdict = f"  {'met' if met else 'NOT met'} (target >= {target[0]} req/s, p99 < {target[1]} ms)"
            print(f"  {name:22} {figures['requests_per_second']:8.1f} req/s   p50 {figures['p50_ms']:7.1f} ms   "
                  f"p99 {figures['p99_ms']:7.1f} ms   worker CPU per request {cpu}   non-2xx {figures['non_2xx']}   timeouts {figures['timeouts']}   "
                  f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after{verdict}", flush=True)
            results.append({"code": label, "case": name, **figures, "load_average": load})
        if any(path == "/parity" for _name, path, _target in pages):
            results.append(dashboard_after_changes(label, base, cookie, args.url))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


if __name__ == "__main__":
    main()
