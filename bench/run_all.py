"""Every benchmark, on SQLite and (when reachable) PostgreSQL: what `make bench` runs.

    BENCH_SCALE=0.1 .venv/bin/python bench/run_all.py     # the default: a tenth of a health board (CI)
    BENCH_SCALE=1 .venv/bin/python bench/run_all.py       # the full scale (by hand: about 20 minutes)
    .venv/bin/python bench/run_all.py --only pages,import --backends postgresql
    BENCH_REF=main .venv/bin/python bench/run_all.py --only pages,http --backends postgresql   # beside main's code

For each backend it fills a database with bench/generate (PostgreSQL:
BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/remun_bench;
SQLite: BENCH_SQLITE_PATH, default instance/bench.sqlite3; both are dropped and
made again), then runs the page timings, the 10,000-row import, wrk against
gunicorn, the export of every posting beside bare openpyxl and XlsxWriter, and the
organisation's workbook asked for from the web (a job in a thread, and on an RQ worker
when Redis answers).
Targets (docs/performance.md) are printed as met or NOT met; a target not met
does not fail the run, a benchmark that breaks does. With --ref (BENCH_REF) the page
timings and wrk run again on that git ref's code (git archive into a temporary folder)
against the same database, right after this code's, with the load average beside each.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("generate", "pages", "import", "http", "export", "web-export", "upload")


def postgres_reachable(url: str) -> bool:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.pool import NullPool

    engine = create_engine(make_url(url).set(database="postgres"), poolclass=NullPool,
                           connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def redis_reachable() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(os.environ.get("REMUN_REDIS_URL", "redis://127.0.0.1:6379/0"),
                                   socket_connect_timeout=3).ping())
    except RedisError:
        return False


def run(title: str, command: list[str], cwd: Path = ROOT) -> None:
    print(f"\n## {title}\n$ {' '.join(command)}  (load average {os.getloadavg()[0]:.1f})", flush=True)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True)
    print(f"({time.perf_counter() - started:.0f} s)", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "0.1")))
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma-separated steps of: {', '.join(STEPS)}")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--wrk-seconds", type=int, default=int(os.environ.get("BENCH_WRK_SECONDS", "15")))
    parser.add_argument("--ref", default=os.environ.get("BENCH_REF"),
                        help="also time the pages and wrk on this git ref's code (for example main), beside this code")
    args = parser.parse_args(argv)
    steps = [step for step in args.only.split(",") if step]
    python = sys.executable
    postgres_url = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/remun_bench")
    sqlite_path = Path(os.environ.get("BENCH_SQLITE_PATH", ROOT / "instance" / "bench.sqlite3")).resolve()
    urls = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            urls["sqlite"] = f"sqlite:///{sqlite_path}"
        elif backend == "postgresql":
            if postgres_reachable(postgres_url):
                urls["postgresql"] = postgres_url
            else:
                print(f"PostgreSQL is not reachable at {postgres_url}: skipping it.", file=sys.stderr)
    import openpyxl
    import sqlalchemy

    print(f"# Remun benchmarks at scale {args.scale:g}\n{platform.platform()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, openpyxl {openpyxl.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    for backend, url in urls.items():
        print(f"\n# {backend}")
        if "generate" in steps:
            run("Generate", [python, "bench/generate", "--url", url, "--fresh", "--scale", str(args.scale)])
        if "pages" in steps:
            run("Reports and pages", [python, "bench/pages_bench.py", "--url", url, "--runs", str(args.runs)])
            if args.ref:
                sys.path.insert(0, str(ROOT))
                from bench.http_bench import checkout

                tree = checkout(args.ref)
                try:
                    run(f"Reports and pages, {args.ref}'s code", [python, str(tree / "bench" / "pages_bench.py"),
                                                                  "--url", url, "--runs", str(args.runs)], cwd=tree)
                finally:
                    shutil.rmtree(tree, ignore_errors=True)
        if "import" in steps:
            run("Import", [python, "bench/import_bench.py", "--url", url])
        if "http" in steps:
            if shutil.which("wrk"):
                run("HTTP (gunicorn, wrk)", [python, "bench/http_bench.py", "--url", url,
                                             "--seconds", str(args.wrk_seconds)]
                    + (["--ref", args.ref] if args.ref else []))
            else:
                print("\nwrk is not installed: skipping HTTP (make bench installs it as root).", file=sys.stderr)
        if "export" in steps:
            run("Export", [python, "bench/export_bench.py", "--url", url, "--cases",
                           "remun-export,db-fetch,bare-openpyxl,bare-openpyxl-per-cell,xlsxwriter"])
        if "web-export" in steps:  # issue 19: the organisation's workbook from the web, as a job
            run("Web export (job in a thread)", [python, "bench/web_export_bench.py", "--url", url, "--runner", "thread"])
            if redis_reachable():
                run("Web export (job on an RQ worker)", [python, "bench/web_export_bench.py", "--url", url, "--runner", "rq"])
    if "upload" in steps:  # issue 19: memory of hostile uploads with the bounds off and on (no database)
        run("Upload bounds", [python, "bench/upload_bench.py", "--rows", "1000"])


if __name__ == "__main__":
    main()
