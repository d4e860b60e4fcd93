"""The organisation's finance export from the web, as an administrator lives it (issue 19).

    .venv/bin/python bench/web_export_bench.py --url postgresql+psycopg://postgres@127.0.0.1/remun_bench
    .venv/bin/python bench/web_export_bench.py --url ... --runner thread    # no Redis: a thread of the app

Starts gunicorn with deploy/gunicorn.conf.py (2 sync workers unless REMUN_WORKERS says otherwise)
and, with ``--runner rq`` (the default), one `remun worker` on the RQ queue in Redis
(REMUN_REDIS_URL, default redis://127.0.0.1:6379/0, on a queue of its own). Signed in as the
benchmark administrator, it asks for ``GET /exports/download?format=xlsx`` (all projects), follows
the redirect to the job's page, reloads that page as its refresh would until it offers the
download link, then downloads the workbook. It prints how long the request that asked took, the
time to the download link, the download's size and time, and the peak resident memory of the
gunicorn workers and of the job's worker (RQ's work horse included), sampled from /proc every
0.1 s, with the load average. A database filled by bench/generate is needed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.http_bench import free_port, session_cookie  # noqa: E402

LINK = re.compile(r'href="(/jobs/(\d+)/download)"')


def _children(pid: int) -> list[int]:
    """Every process descended from ``pid`` (RQ forks a work horse per job; gunicorn forks its workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakMemory(threading.Thread):
    """The largest resident memory of any one process under each watched root, every 0.1 s."""

    def __init__(self, roots: dict[str, tuple[int, bool]]):
        super().__init__(daemon=True)
        self.roots = roots  # name -> (pid, count the root itself too)
        self.peaks = {name: 0.0 for name in roots}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            for name, (pid, itself) in self.roots.items():
                pids = _children(pid) + ([pid] if itself else [])
                self.peaks[name] = max([self.peaks[name], *(_rss_mib(one) for one in pids)])
            time.sleep(0.1)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_for(base: str, server: subprocess.Popen) -> None:
    for _attempt in range(200):
        try:
            urllib.request.urlopen(f"{base}/sign-in", timeout=2)
            return
        except (urllib.error.URLError, OSError):  # not listening yet, or too busy starting to answer
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped before it answered")
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REMUN_DATABASE_URL"),
                        required=not os.environ.get("REMUN_DATABASE_URL"))
    parser.add_argument("--runner", choices=("rq", "thread"), default="rq")
    parser.add_argument("--redis", default=os.environ.get("REMUN_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--limit", type=float, default=1800, help="give up after this many seconds")
    args = parser.parse_args(argv)
    files = tempfile.mkdtemp(prefix="remun-bench-jobs-")
    env = {**os.environ, "REMUN_DATABASE_URL": args.url, "REMUN_SECRET_KEY": os.environ.get("REMUN_SECRET_KEY", "bench-only"),
           "REMUN_HTTPS": "0", "REMUN_JOB_FILES": files, "REMUN_REQUEST_LOG": "off", "REMUN_METRICS_BIND": "",
           "REMUN_JOB_RUNNER": args.runner, "PYTHONPATH": str(ROOT)}
    if args.runner == "rq":
        env["REMUN_REDIS_URL"] = args.redis
        env["REMUN_JOB_QUEUE"] = f"remun-bench-{os.getpid()}"  # nobody else's worker takes it
    else:
        env.pop("REMUN_REDIS_URL", None)
    os.environ.update({key: env[key] for key in ("REMUN_DATABASE_URL", "REMUN_SECRET_KEY", "REMUN_HTTPS")})

    from remun import create_app

    cookie = session_cookie(create_app())
    port = free_port()
    env["REMUN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    if args.runner == "rq":
        worker = subprocess.Popen([sys.executable, "-c", "from remun.cli.main import main; main()", "worker",
                                   "--queue", env["REMUN_JOB_QUEUE"]],
                                  env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    roots = {"web": (server.pid, False)}
    if worker is not None:
        roots["worker"] = (worker.pid, True)
    try:
        _wait_for(base, server)
        time.sleep(1)  # the worker's start-up is not the export's time
        memory = PeakMemory(roots)
        memory.start()
        headers = {"Cookie": f"session={cookie}"}
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(urllib.request.Request(f"{base}/exports/download?format=xlsx", headers=headers), timeout=120)
            raise SystemExit("the export did not redirect to a job page")
        except urllib.error.HTTPError as answer:
            if answer.code != 302:
                raise SystemExit(f"the export answered {answer.code}")
            job_page = answer.headers["Location"]
        asked = time.perf_counter() - started
        link = None
        reloads = 0
        while link is None:
            if time.perf_counter() - started > args.limit:
                raise SystemExit(f"no download link after {args.limit:.0f} s")
            time.sleep(1)
            with urllib.request.urlopen(urllib.request.Request(base + job_page if job_page.startswith("/") else job_page,
                                                               headers=headers), timeout=120) as page:
                html = page.read().decode()
            reloads += 1
            if "govuk-error-summary" in html or "could not be made" in html:
                raise SystemExit("the job failed: " + re.sub(r"<[^>]+>", " ", html)[:500])
            found = LINK.search(html)
            link = found.group(1) if found else None
        to_link = time.perf_counter() - started
        fetched = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(base + link, headers=headers), timeout=300) as download:
            size = len(download.read())
            kind = download.headers["Content-Type"]
        download_seconds = time.perf_counter() - fetched
        memory.stopping.set()
        memory.join()
        result = {"runner": args.runner, "request_seconds": asked, "seconds_to_link": to_link, "page_reloads": reloads,
                  "bytes": size, "download_seconds": download_seconds, "peak_web_mib": memory.peaks["web"],
                  "peak_worker_mib": memory.peaks.get("worker"), "load_before": load_before,
                  "load_after": os.getloadavg()[0]}
        print(f"web export ({args.runner}): the request answered in {asked * 1000:.0f} ms; download link after "
              f"{to_link:.1f} s ({reloads} reloads of the job page); {size / 1e6:.1f} MB {kind} downloaded in "
              f"{download_seconds:.2f} s; peak memory of a gunicorn worker {memory.peaks['web']:.0f} MiB"
              + (f", of the job's worker {memory.peaks['worker']:.0f} MiB" if worker else " (the job ran in its thread)")
              + f"; load average {load_before:.1f} before, {result['load_after']:.1f} after", flush=True)
        return result
    finally:
        for process in (server, worker):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        subprocess.run(["rm", "-rf", files], check=False)


if __name__ == "__main__":
    main()
