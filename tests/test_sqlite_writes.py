"""SQLite in WAL mode: a transaction that reads and then writes fails at once ("database is locked") if
someone else committed in between, whatever the busy timeout; a background job saving its progress
every half second made pages answer "someone else is changing this" on a busy machine. A request
that may write therefore begins with the write lock (remun.database.writing_transactions)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from remun import database
from remun.database import make_engine, writing_transactions


@pytest.fixture
def sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'writes.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    # Another writer that gives up after a tenth of a second, so the test never waits long.
    impatient = create_engine(url, connect_args={"timeout": 0.1})
    yield engine, impatient
    impatient.dispose()
    engine.dispose()


def test_reading_then_writing_after_someone_else_committed_fails_at_once(sqlite_file):
    engine, other = sqlite_file
    with Session(engine) as page, Session(other) as job:
        page.execute(text("SELECT n FROM counter")).all()
        job.execute(text("UPDATE counter SET n = 1"))
        job.commit()  # the job saves its progress
        with pytest.raises(OperationalError, match="locked"):
            page.execute(text("UPDATE counter SET n = 2"))


def test_a_writing_transaction_takes_the_lock_first_so_it_is_never_refused(sqlite_file):
    engine, other = sqlite_file
    with writing_transactions():
        page = Session(engine)
        page.execute(text("SELECT n FROM counter")).all()  # BEGIN IMMEDIATE: the write lock is the page's
    with Session(other) as job:
        with pytest.raises(OperationalError, match="locked"):  # the job waits for the page (here: gives up)
            job.execute(text("UPDATE counter SET n = 1"))
    page.execute(text("UPDATE counter SET n = 2"))
    page.commit()
    page.close()
    with Session(engine) as check:
        assert check.execute(text("SELECT n FROM counter")).scalar_one() == 2


def test_requests_that_may_write_begin_with_the_write_lock(app):
    for method, writing in (("POST", True), ("GET", False)):
        with app.test_request_context("/", method=method):
            app.preprocess_request()
            assert database._WRITING.get() is writing, method
            app.do_teardown_request()
        assert database._WRITING.get() is False
