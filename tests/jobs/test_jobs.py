"""Background jobs (issue 19) for real: committed rows, RQ on the Redis at REMUN_TEST_REDIS_URL
(default redis://127.0.0.1:6379/0) with real workers, and the app's own thread when there is no Redis.

A queue of its own per test keeps these jobs away from any other worker on the same Redis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select

from remun.accounts.models import AuditEvent, User, UserRole
from remun.project_records.enums import Reciprocity
from remun.jobs import store
from remun.jobs.models import Job, JobStatus
from tests.conftest import PASSWORD, create_postgres_database

import tests.helpers.job_hooks  # noqa: F401  (registers the "test-slow" kind)

REDIS_URL = os.environ.get("REMUN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parent.parent.parent


def redis_available() -> bool:
    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason=f"Redis is not reachable at {REDIS_URL}")


@pytest.fixture
def committed_url(backend, tmp_path):
    """A database of its own whose commits are real, as a worker in another process needs."""
    from remun.database import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        upgrade(url)
        yield url
        return
    url, drop = create_postgres_database()
    upgrade(url)
    yield url
    drop()


@pytest.fixture
def queue_name():
    name = f"remun-test-{uuid.uuid4().hex[:10]}"
    yield name
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    Queue(name, connection=connection).delete(delete_jobs=True)


@pytest.fixture
def made_apps():
    """Apps made by make_app: their connections are closed when the test ends."""
    apps = []
    yield apps
    from remun.web.extensions import db

    for app in apps:
        with app.app_context():
            db.engine.dispose()


def make_app(url: str, tmp_path: Path, monkeypatch, runner: str, queue_name: str | None = None, made=None):
    from remun import create_app

    monkeypatch.setenv("REMUN_DATABASE_URL", url)
    monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("REMUN_JOB_FILES", str(tmp_path / "job-files"))
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-only", "REMUN_ARGON2_PROFILE": "test",
              "REMUN_JOB_RUNNER": runner, "REMUN_REDIS_URL": REDIS_URL if runner == "rq" else None}
    if queue_name:
        config["REMUN_JOB_QUEUE"] = queue_name
    app = create_app(config)
    made.append(app)
    return app


def people_and_ledger(app, rate_book):
    """An approved project and three accounts: an administrator, a lead of the project, another lead."""
    from remun.accounts import passwords
    from remun.web.extensions import db
    from tests.helpers.ledger import approve_all, build_project

    with app.app_context():
        session = db.session
        project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
        approve_all(session, project, rate_book)
        hashed = passwords.hash_password(PASSWORD, passwords.hasher("test"))
        users = {
            "admin": User(email="admin@example.org", role=UserRole.ADMIN, password_hash=hashed),
            "lead": User(email="lead@example.org", role=UserRole.LEAD, password_hash=hashed, led_projects=[project]),
            "other": User(email="other@example.org", role=UserRole.LEAD, password_hash=hashed, led_projects=[project]),
        }
        session.add_all(users.values())
        session.commit()
        return project.id, {name: user.id for name, user in users.items()}


def signed_in(app, user_id: int):
    from remun.accounts.sign_in_sessions import start
    from remun.web.extensions import db

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        key = start(db.session, user)  # a session on the server, as signing in makes
        db.session.commit()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = key
            cookie["_fresh"] = True
    return client


def job_row(app, job_id: int) -> Job:
    from remun.web.extensions import db

    with app.app_context():
        job = db.session.get(Job, job_id)
        db.session.expunge(job)
        return job


def ask_for_export(client, project_id: int) -> int:
    asked = client.get(f"/exports/download?projects={project_id}&format=xlsx")
    assert asked.status_code == 302, asked.status_code
    return int(re.search(r"/jobs/(\d+)$", asked.headers["Location"]).group(1))


def text_of(response) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))


def download(client, job_id: int):
    response = client.get(f"/jobs/{job_id}/download")
    data = response.get_data()
    response.close()
    return response, data


def check_finished_export(app, lead, admin, other, job_id: int) -> None:
    """Done: the owner and an administrator download it (each recorded); another lead is refused."""
    import io

    import openpyxl

    def rows_match(data: bytes, job: Job) -> None:
        ledger = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Ledger"]
        assert sum(1 for _ in ledger.iter_rows(min_row=2)) == job.rows_total

    check_finished_file(app, lead, admin, other, job_id, rows_match)


def check_finished_file(app, lead, admin, other, job_id: int, check_data) -> None:
    """Done: the owner and an administrator download it (each recorded); another lead is refused."""
    page = lead.get(f"/jobs/{job_id}")
    assert "Your file is ready" in text_of(page) and 'http-equiv="refresh"' not in page.get_data(as_text=True)
    job = job_row(app, job_id)
    assert job.status is JobStatus.DONE and job.rows_total and job.rows_done == job.rows_total
    assert store.aware(job.expires_at) - store.aware(job.finished_at) == dt.timedelta(hours=24)

    response, data = download(lead, job_id)
    assert response.status_code == 200 and data.startswith(b"PK")
    check_data(data, job)
    assert download(admin, job_id)[0].status_code == 200
    assert other.get(f"/jobs/{job_id}").status_code == 403
    assert download(other, job_id)[0].status_code == 403

    from remun.web.extensions import db

    with app.app_context():
        downloads = db.session.scalars(select(AuditEvent.user_id).where(
            AuditEvent.action == "job.downloaded", AuditEvent.object_id == str(job_id))).all()
    assert sorted(downloads) == sorted([job.owner_id, admin_id_of(app)])


def admin_id_of(app) -> int:
    from remun.web.extensions import db

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "admin@example.org"))


def check_expiry(app, lead, job_id: int) -> None:
    """Past its time the file is deleted; the page says so and the link no longer gives it."""
    from remun.web.extensions import db

    job = job_row(app, job_id)
    path = store.files_folder() / job.file_path
    assert path.is_file()
    with app.app_context():
        assert store.expire(db.session, store.aware(job.expires_at) - dt.timedelta(seconds=1)) == 0
        assert store.expire(db.session, store.aware(job.expires_at) + dt.timedelta(seconds=1)) == 1
    assert not path.exists()
    assert "This file has been deleted" in text_of(lead.get(f"/jobs/{job_id}"))
    response, _data = download(lead, job_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/jobs/{job_id}")


@needs_redis
def test_a_job_on_the_queue_done_by_a_real_worker(committed_url, tmp_path, monkeypatch, queue_name, rate_book,
                                                  made_apps):
    from rq import Queue, SimpleWorker

    app = make_app(committed_url, tmp_path, monkeypatch, "rq", queue_name, made=made_apps)
    project_id, ids = people_and_ledger(app, rate_book)
    lead, admin, other = (signed_in(app, ids[name]) for name in ("lead", "admin", "other"))

    job_id = ask_for_export(lead, project_id)
    page = lead.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.get_data(as_text=True)
    assert "waiting to be started" in text_of(page)
    connection = Redis.from_url(REDIS_URL)
    assert Queue(queue_name, connection=connection).count == 1

    # The worker is RQ's own, in this process, taking the job from Redis.
    with app.app_context():
        SimpleWorker([Queue(queue_name, connection=connection)], connection=connection).work(burst=True)
    check_finished_export(app, lead, admin, other, job_id)
    check_expiry(app, lead, job_id)


def test_the_same_job_in_a_thread_of_the_app_without_redis(committed_url, tmp_path, monkeypatch, rate_book, made_apps):
    app = make_app(committed_url, tmp_path, monkeypatch, "thread", made=made_apps)
    assert app.config["REMUN_REDIS_URL"] is None
    project_id, ids = people_and_ledger(app, rate_book)
    lead, admin, other = (signed_in(app, ids[name]) for name in ("lead", "admin", "other"))

    job_id = ask_for_export(lead, project_id)
    deadline = time.monotonic() + 60
    while job_row(app, job_id).status in (JobStatus.QUEUED, JobStatus.RUNNING):  # the page refreshes meanwhile
        assert 'http-equiv="refresh"' in lead.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert time.monotonic() < deadline, "the thread did not finish the job"
        time.sleep(0.2)
    check_finished_export(app, lead, admin, other, job_id)
    check_expiry(app, lead, job_id)


@needs_redis
def test_a_worker_killed_mid_job_leaves_a_failed_job_that_can_be_retried(
        committed_url, tmp_path, monkeypatch, queue_name, rate_book, made_apps):
    from rq import Queue, SimpleWorker

    app = make_app(committed_url, tmp_path, monkeypatch, "rq", queue_name, made=made_apps)
    _project_id, ids = people_and_ledger(app, rate_book)
    lead = signed_in(app, ids["lead"])
    from remun.jobs import runner
    from remun.web.extensions import db

    with app.app_context():
        job = store.create(db.session, "test-slow", ids["lead"], {})
        job.params = json.dumps({"job_id": job.id, "pid_file": str(tmp_path / "work-horse.pid")})
        db.session.commit()
        job_id = job.id
        runner.submit(app, job_id)

    env = {**os.environ, "REMUN_DATABASE_URL": committed_url, "REMUN_INSTANCE_PATH": str(tmp_path / "instance"),
           "REMUN_JOB_FILES": str(tmp_path / "job-files"), "REMUN_REDIS_URL": REDIS_URL,
           "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-c", "import sys, tests.helpers.job_hooks; from remun.cli.main import main; sys.argv[0] = 'remun'; main()",
         "worker", "--burst", "--queue", queue_name],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while job_row(app, job_id).rows_done < 3:  # it has started, and reported 3 of 10 rows
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        assert "3 of 10 rows written" in text_of(lead.get(f"/jobs/{job_id}"))
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker, mid-job
        # RQ's work horse has a process group of its own: killed by its id, or it would work on for ever.
        horse = tmp_path / "work-horse.pid"
        if horse.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(horse.read_text()), signal.SIGKILL)
        worker.wait()
        worker.stderr.close()
    assert job_row(app, job_id).status is JobStatus.RUNNING  # nobody told the database

    # Once its heartbeat is older than the limit, the job says it failed, in words.
    monkeypatch.setenv("REMUN_JOB_LOST_AFTER_SECONDS", "1")
    time.sleep(1.5)
    page = text_of(lead.get(f"/jobs/{job_id}"))
    assert "Your file could not be made" in page and "stopped before it finished" in page and "Try again" in page
    assert job_row(app, job_id).status is JobStatus.FAILED

    assert lead.post(f"/jobs/{job_id}/retry").status_code == 302
    connection = Redis.from_url(REDIS_URL)
    with app.app_context():
        SimpleWorker([Queue(queue_name, connection=connection)], connection=connection).work(burst=True)
    job = job_row(app, job_id)
    assert (job.status, job.attempts, job.rows_done) == (JobStatus.DONE, 2, 10)
    response, data = download(lead, job_id)
    assert data == b"finished on a later attempt\n"


def test_a_refused_job_says_why_and_can_be_retried(app, client, db_session, rate_book, monkeypatch):
    """Too many postings for one sheet: the job fails with the reason; with room it succeeds on retry."""
    from remun.exports import finance_workbook as workbook
    from tests.helpers.ledger import approve_all, build_project

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    approve_all(db_session, project, rate_book)
    db_session.commit()
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 1)
    job_id = ask_for_export(client, project.id)
    page = text_of(client.get(f"/jobs/{job_id}"))
    assert "Your file could not be made" in page and "more than one sheet can hold" in page
    monkeypatch.undo()
    assert client.post(f"/jobs/{job_id}/retry").status_code == 302
    assert "Your file is ready" in text_of(client.get(f"/jobs/{job_id}"))


# --- Budget workbooks and large imports (the other kinds of job) --------------------------------------------------

def job_of(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def ask_for_budget_workbook(app, lead) -> int:
    from remun.budget.models import Budget, BudgetDraftRole
    from remun.web.extensions import db
    from tests.helpers.pages import add_item, add_line, add_role, start_draft

    start_draft(lead, name="Jobs pilot")
    with app.app_context():
        budget = db.session.scalar(select(Budget).where(Budget.name == "Jobs pilot"))
        assert add_role(lead, budget).status_code == 302
        role = db.session.scalar(select(BudgetDraftRole).where(BudgetDraftRole.budget_id == budget.id))
        assert add_line(lead, budget, f"draft-{role.id}").status_code == 302
        assert add_item(lead, budget).status_code == 302
    return job_of(lead.get(f"/budgets/{budget.id}/workbook.xlsx"))


def upload(client, sheets) -> object:
    from tests.helpers.workbooks import workbook

    return client.post("/import/", data={"workbook": (workbook(sheets), "project.xlsx")},
                       content_type="multipart/form-data")


def uploads_kept() -> list[Path]:
    return sorted((store.files_folder() / "uploads").glob("*"))


def check_budget_and_import_jobs(app, clients, run_queued_work, waits_for_a_worker: bool) -> None:
    """A budget workbook and a large import, each from its page to its result, with ``run_queued_work()``
    doing the work (a real RQ worker, or waiting for the app's thread)."""
    import io

    import openpyxl

    from remun.project_records.models import Meeting, Project
    from remun.web.extensions import db
    from tests.helpers.workbooks import PROJECT_NAME, good_sheets, set_cell

    lead, admin, other = clients
    app.config["REMUN_IMPORT_JOB_ROWS"] = 5  # the small workbook of tests/imports/test_import.py counts as large here

    # The budget workbook: the page asks for it, the work makes it, only its owner and administrators get it.
    job_id = ask_for_budget_workbook(app, lead)
    run_queued_work(job_id)

    def is_budget_workbook(data: bytes, job: Job) -> None:
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[:3] == ["Summary", "Payment for time", "Fair pay"]
        assert book.properties.creator == "lead@example.org"
        assert job.file_name == "budget-jobs-pilot.xlsx"

    check_finished_file(app, lead, admin, other, job_id, is_budget_workbook)
    check_expiry(app, lead, job_id)

    # A workbook with a problem: the job's page lists it, and nothing is written.
    sheets = good_sheets()
    set_cell(sheets, "Roles", 2, "Kind", "Clinician")
    job_id = job_of(upload(lead, sheets))
    assert len(uploads_kept()) == 1  # kept for the worker
    if waits_for_a_worker:  # (a thread may have finished it already)
        page = lead.get(f"/jobs/{job_id}")
        assert 'http-equiv="refresh"' in page.get_data(as_text=True) and "waiting to be imported" in text_of(page)
    run_queued_work(job_id)
    page = text_of(lead.get(f"/jobs/{job_id}"))
    assert "Nothing was imported" in page and "'Clinician' is not a kind of role" in page
    assert uploads_kept() == []
    with app.app_context():
        assert db.session.scalar(select(Project.id).where(Project.name == PROJECT_NAME)) is None

    # The same workbook put right is imported: the result, only for its owner and administrators.
    job_id = job_of(upload(lead, good_sheets()))
    run_queued_work(job_id)
    page = lead.get(f"/jobs/{job_id}")
    words = text_of(page)
    assert "Your workbook was imported" in words and f"Project '{PROJECT_NAME}' added." in words
    assert "Attendance: 5 added" in words and 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert job_row(app, job_id).rows_done == job_row(app, job_id).rows_total > 5
    assert uploads_kept() == []
    assert admin.get(f"/jobs/{job_id}").status_code == 200
    assert other.get(f"/jobs/{job_id}").status_code == 403
    assert download(lead, job_id)[0].status_code == 302  # a result to read, not a file to download
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.name == PROJECT_NAME))
        assert f'href="/projects/{project.id}"' in page.get_data(as_text=True)
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.project_id == project.id)) == 2
        lead_user = db.session.scalar(select(User).where(User.email == "lead@example.org"))
        assert project in lead_user.led_projects  # a lead leads the project they imported


@needs_redis
def test_budget_workbooks_and_large_imports_on_the_queue_done_by_a_real_worker(
        committed_url, tmp_path, monkeypatch, queue_name, rate_book, made_apps):
    from rq import Queue, SimpleWorker

    app = make_app(committed_url, tmp_path, monkeypatch, "rq", queue_name, made=made_apps)
    _project_id, ids = people_and_ledger(app, rate_book)
    clients = [signed_in(app, ids[name]) for name in ("lead", "admin", "other")]
    connection = Redis.from_url(REDIS_URL)

    def work(job_id: int) -> None:
        assert job_row(app, job_id).status is JobStatus.QUEUED
        assert Queue(queue_name, connection=connection).count == 1
        with app.app_context():
            SimpleWorker([Queue(queue_name, connection=connection)], connection=connection).work(burst=True)

    check_budget_and_import_jobs(app, clients, work, waits_for_a_worker=True)


def test_budget_workbooks_and_large_imports_in_a_thread_of_the_app(committed_url, tmp_path, monkeypatch, rate_book,
                                                                    made_apps):
    app = make_app(committed_url, tmp_path, monkeypatch, "thread", made=made_apps)
    _project_id, ids = people_and_ledger(app, rate_book)
    clients = [signed_in(app, ids[name]) for name in ("lead", "admin", "other")]

    def wait(job_id: int) -> None:
        deadline = time.monotonic() + 60
        while job_row(app, job_id).status in (JobStatus.QUEUED, JobStatus.RUNNING):
            assert time.monotonic() < deadline, "the thread did not finish the job"
            time.sleep(0.1)

    check_budget_and_import_jobs(app, clients, wait, waits_for_a_worker=False)


def test_an_import_job_lists_the_first_200_problems_and_counts_the_rest(app, client, db_session):
    from remun.project_records.models import Project
    from tests.helpers.workbooks import ATTENDANCE_HEADINGS, PROJECT_NAME, good_sheets

    app.config["REMUN_IMPORT_JOB_ROWS"] = 5
    sheets = good_sheets()
    sheets["Attendance"] = [ATTENDANCE_HEADINGS] + [
        [dt.date(2025, 5, 14), "Panel meeting", f"Nobody {number}", 1] for number in range(250)]
    job_id = job_of(upload(client, sheets))
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert page.count("Nobody ") == 200
    assert "There are 50 more problems, not listed here" in text_of(client.get(f"/jobs/{job_id}"))
    assert db_session.scalar(select(Project.id).where(Project.name == PROJECT_NAME)) is None
    assert uploads_kept() == []


def test_a_small_import_stays_at_once(app, client, db_session):
    from tests.helpers.workbooks import good_sheets

    response = upload(client, good_sheets())
    assert response.status_code == 302 and "/projects/" in response.headers["Location"]
    assert db_session.scalar(select(func.count(Job.id))) == 0
