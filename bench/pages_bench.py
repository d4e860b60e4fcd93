"""Report and page timings on a generated database: median and p95 per case.

    .venv/bin/python bench/pages_bench.py --url postgresql+psycopg://postgres@127.0.0.1/remun_bench
    .venv/bin/python bench/pages_bench.py --url sqlite:///instance/bench.sqlite3 --runs 20

Fill the database first with bench/generate. Cases:

- ``parity report (one project)``: remun.parity.report.project_parity, no web;
- ``organisation report, nothing kept``: remun.parity.report.organisation_parity, no web (what
  ``remun parity`` and verify's recomputation cost; the dashboard serves kept reports);
- the same two reports kept (remun/parity/report_cache.py) as the web app keeps them: unchanged; the
  dashboard in a new process (every report made again from the projects' totals kept in the
  database, remun/parity/project_totals.py); its first request after a change to one attendance row
  of one project (committed; only that project's report is made again); and its first request after a
  change to every project's figures (the organisation's version moved, as a change to its settings or
  rate figures, or a new day, does: every report made again from the totals kept in memory);
- ``GET`` of the parity page, the organisation dashboard (also right after a change in one project
  or to every project, and with its body made again from a kept report), a person's statement and
  the project ledger (first page), through the Flask app as an administrator (query, template and
  all, no network; the work left for after a response is done before the next change, untimed).

Each case runs on different projects and people in turn (chosen with a fixed
seed), after one warm-up run. The garbage collector is set as gunicorn serves
(deploy/gunicorn.conf.py: everything loaded at start frozen, a higher
young-generation threshold); ``--default-gc`` keeps Python's defaults.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADMIN_EMAIL = "bench-admin@example.org"


def move_organisation_version(connection) -> None:
    """What a change to the organisation's settings or rate figures does to every report: the figures
    version gets a token no cache has seen. ``connection``: a session or connection to execute with."""
    from sqlalchemy import text

    connection.execute(text("UPDATE figures_version SET token = :token WHERE id = 1"),
                       {"token": f"bench-{uuid.uuid4().hex}"})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine slows every figure."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed(function, arguments: list, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each run (CPU leaves out the database server's share)."""
    function(arguments[0])  # warm caches and compile templates
    times, cpu = [], []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function(arguments[i % len(arguments)])
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu


def timed_after(change, function, arguments: list, runs: int) -> tuple[list[float], list[float]]:
    """As :func:`timed`, each run right after ``change(argument)`` (committed, not timed)."""
    function(arguments[0])
    times, cpu = [], []
    for i in range(runs):
        change(arguments[i % len(arguments)])
        started, started_cpu = time.perf_counter(), time.process_time()
        function(arguments[i % len(arguments)])
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu


def report(name: str, measured: tuple[list[float], list[float]], target: float | None) -> dict:
    times, cpu = measured
    median, p95 = statistics.median(times), percentile(times, 0.95)
    verdict = "" if target is None else ("  met" if p95 < target else "  NOT met") + f" (target < {target:g} ms)"
    print(f"  {name:36} median {median:7.1f} ms  p95 {p95:7.1f} ms  (python cpu median {statistics.median(cpu):6.1f} ms)"
          f"  runs {len(times):3}{verdict}", flush=True)
    return {"case": name, "median_ms": median, "p95_ms": p95, "cpu_median_ms": statistics.median(cpu),
            "runs": len(times), "target_ms": target}


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("REMUN_DATABASE_URL"), required=not os.environ.get("REMUN_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dashboard-runs", type=int, default=5)
    parser.add_argument("--default-gc", action="store_true",
                        help="keep Python's default garbage collector settings instead of those gunicorn serves with")
    args = parser.parse_args(argv)
    os.environ["REMUN_DATABASE_URL"] = args.url
    os.environ.setdefault("REMUN_SECRET_KEY", "bench-only")
    os.environ.setdefault("REMUN_REQUEST_LOG", "off")  # a JSON line per timed request would bury the figures

    from sqlalchemy import func, select

    from remun import create_app
    from remun.accounts.models import User
    from remun.accounts import sign_in_sessions
    from remun.ledger.models import Posting
    from remun.project_records.models import Person, Project
    from remun.parity.report import organisation_parity, project_parity
    from remun.web.extensions import db
    try:
        from remun.web.pages import sweep_garbage
    except ImportError:  # code from before 8 December 2026, measured beside this (it did not sweep)
        def sweep_garbage() -> None:
            pass

    app = create_app({"REMUN_HTTPS": False, "SESSION_COOKIE_SECURE": False})
    if not args.default_gc:
        # As deploy/gunicorn.conf.py serves: the app's long-lived objects out of the collector's
        # sweeps, and fewer young-generation collections (else the dashboard spends a quarter of
        # its Python time in full collections of objects that live as long as the process).
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    rng = random.Random(7)
    results = []
    with app.app_context():
        session = db.session
        backend = session.get_bind().dialect.name
        projects = session.scalars(select(Project.id).order_by(Project.id)).all()
        people = session.scalars(select(Person.id).order_by(Person.id)).all()
        postings = session.scalar(select(func.count(Posting.id)))
        admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        if admin is None or not projects:
            raise SystemExit("Fill the database with bench/generate first.")
        key = sign_in_sessions.start(session, admin)  # a session on the server, as signing in makes
        session.commit()
        book = app.extensions["remun.rates"]
        print(f"{backend}: {len(projects):,} projects, {len(people):,} people, {postings:,} postings; "
              f"load average {load_average()}; garbage collector "
              f"{'Python default' if args.default_gc else 'as gunicorn serves (frozen, threshold 50,000)'}")
        chosen_projects = rng.sample(projects, min(len(projects), args.runs))
        chosen_people = rng.sample(people, min(len(people), args.runs))

        def parity(project_id: int) -> None:
            project_parity(db.session, project_id, book)
            db.session.rollback()

        def dashboard(_none) -> None:
            organisation_parity(db.session, book)
            db.session.rollback()

        results.append(report("parity report, one project", timed(parity, chosen_projects, args.runs), 50))
        # Nothing kept: what `remun parity` and verify's recomputation cost; the dashboard never serves it.
        results.append(report("organisation report, nothing kept", timed(dashboard, [None], args.dashboard_runs), None))

        # Issue 19: the same reports kept under the figures version (remun/parity/report_cache.py). The first
        # call of each makes the report; the rest read the version and reuse it (figures unchanged).
        from remun.parity.report_cache import ReportCache, cached_organisation_parity, cached_project_parity

        # As the web app keeps them: the totals and each report's figures in the database, the figures once
        # the page has been sent (here: before the next change, untimed).
        pending: list = []
        kept = ReportCache(keep_with=db.sessionmaker, keep_later=pending.append)

        def keep_pending() -> None:
            while pending:
                pending.pop(0)()
                sweep_garbage()  # as the web app does once the page has gone

        def kept_parity(project_id: int) -> None:
            cached_project_parity(db.session, project_id, book, cache=kept)
            db.session.rollback()

        def kept_dashboard(_none) -> None:
            cached_organisation_parity(db.session, book, cache=kept)
            db.session.rollback()

        for project_id in chosen_projects:
            kept_parity(project_id)
        kept_dashboard(None)
        results.append(report("parity report, one project (kept)", timed(kept_parity, chosen_projects, args.runs), 50))
        results.append(report("organisation dashboard (kept report)", timed(kept_dashboard, [None], args.runs), 300))
        keep_pending()

        def new_process(_none) -> None:  # a process with nothing in memory: the totals kept in the database
            cached_organisation_parity(db.session, book, cache=ReportCache(keep_with=db.sessionmaker,
                                                                           keep_later=pending.append))
            db.session.rollback()

        results.append(report("dashboard in a new process", timed_after(lambda _n: keep_pending(), new_process,
                                                                        [None], args.dashboard_runs), None))
        db.session.close()
        change_one, change_every = _changes(app, db, chosen_projects, before=keep_pending)
        if change_one is not None:
            results.append(report("dashboard after a change in one project",
                                  timed_after(change_one, kept_dashboard, chosen_projects, args.runs), 300))
            results.append(report("dashboard after a change to every project",
                                  timed_after(change_every, kept_dashboard, [None], args.dashboard_runs), 300))

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = key
        cookie["_fresh"] = True

    sent: list = []

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} gave {response.status_code}")
        response.get_data()
        sent.append(response)  # closed before the next change, untimed: what a server does once it is sent

    def close_sent() -> None:  # work left for after the response (the reports' figures kept for verify)
        while sent:
            sent.pop().close()

    with app.app_context():
        change_one, change_every = _changes(app, db, chosen_projects, before=close_sent)

    results.append(report("GET parity page", timed(lambda p: get(f"/projects/{p}/parity"), chosen_projects, args.runs), None))
    # The same pages again, figures unchanged: the kept report (and, where the code keeps it, the page's body).
    results.append(report("GET parity page, again (kept)",
                          timed(lambda p: get(f"/projects/{p}/parity"), chosen_projects, args.runs), None))
    results.append(report("GET organisation dashboard", timed(lambda _n: get("/parity"), [None], args.dashboard_runs), 300))
    if change_one is not None:
        results.append(report("GET dashboard after a change in one project",
                              timed_after(change_one, lambda _p: get("/parity"), chosen_projects, args.runs), 300))
        results.append(report("GET dashboard after a change to every project",
                              timed_after(change_every, lambda _n: get("/parity"), [None], args.dashboard_runs), 300))

        def body_again(_none) -> None:  # the report kept, the page's body made again
            app.extensions["remun.report_pages"].clear()
        results.append(report("GET dashboard, body made again",
                              timed_after(body_again, lambda _n: get("/parity"), [None], args.runs), None))
    results.append(report("GET statement", timed(lambda p: get(f"/people/{p}/statement"), chosen_people, args.runs), 50))
    results.append(report("GET project ledger (first page)",
                          timed(lambda p: get(f"/projects/{p}/ledger"), chosen_projects, args.runs), 50))
    print(f"  (load average at the end {load_average()})", flush=True)
    return results


def _changes(app, db, project_ids: list[int], before=lambda: None):
    """What changes one project's figures (one attendance row's travel hours, up and down again in turn),
    and what changes every project's (the organisation's figures version), each committed; (None, None)
    when no attendance can change (every one approved for payment). ``before`` runs first (untimed)."""
    from sqlalchemy import text
    changed: dict[int, int] = {}
    # An attendance row with no claim in each project (one approved for payment cannot change).
    unclaimed = dict(db.session.execute(text(
        "SELECT meetings.project_id, min(attendances.id) FROM attendances JOIN meetings ON meetings.id = "
        "attendances.meeting_id WHERE meetings.project_id = ANY(:projects) AND NOT EXISTS "
        "(SELECT 1 FROM claims WHERE claims.attendance_id = attendances.id) GROUP BY meetings.project_id")
        if db.session.get_bind().dialect.name == "postgresql" else text(
        "SELECT meetings.project_id, min(attendances.id) FROM attendances JOIN meetings ON meetings.id = "
        "attendances.meeting_id WHERE NOT EXISTS (SELECT 1 FROM claims WHERE claims.attendance_id = attendances.id) "
        "GROUP BY meetings.project_id"), {"projects": project_ids}).all())
    db.session.rollback()
    if not unclaimed:
        return None, None

    def one(project_id: int) -> None:
        before()
        project_id = project_id if project_id in unclaimed else next(iter(unclaimed))
        changed[project_id] = changed.get(project_id, 0) + 1
        with app.app_context():  # a session of its own, committed and ended before the timed request
            db.session.execute(text("UPDATE attendances SET travel_hours = travel_hours + :delta WHERE id = :id"),
                               {"delta": "0.25" if changed[project_id] % 2 else "-0.25", "id": unclaimed[project_id]})
            db.session.commit()

    def every(_none) -> None:
        before()
        with app.app_context():
            move_organisation_version(db.session)
            db.session.commit()

    return one, every


if __name__ == "__main__":
    main()
