"""The restore drill, as an operator runs it: demo data, backup, drop, restore, verify, same figures.

Runs the real `remun` command on SQLite and PostgreSQL (issue 21).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tests.conftest import POSTGRES_ADMIN_URL, create_postgres_database

REMUN = shutil.which("remun", path=str(Path(sys.executable).parent)) or "remun"
PROJECT = "Community Mental Health Service Redesign"
PNG = b"\x89PNG\r\n\x1a\n" + b"receipt for a bus fare" * 10


@pytest.fixture
def drill(backend, tmp_path):
    """An environment for `remun` on a new database, and a way to drop and recreate that database empty."""
    instance = tmp_path / "instance"
    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'remun.sqlite3'}", None

        def recreate_empty() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{tmp_path / 'remun.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        url, drop = create_postgres_database()
        name = url.rsplit("/", 1)[1]

        def recreate_empty() -> None:
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()

    env = dict(os.environ, REMUN_DATABASE_URL=url, REMUN_INSTANCE_PATH=str(instance))
    env.pop("REMUN_CHECKPOINT_FILE", None)
    yield env, url, instance, recreate_empty
    if drop:
        drop()


def run(env, *args):
    result = subprocess.run([REMUN, *args], env=env, capture_output=True, text=True, timeout=180)
    return result


def ok(env, *args) -> str:
    result = run(env, *args)
    assert result.returncode == 0, f"remun {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def add_receipt(url: str, instance: Path) -> str:
    """A receipt on the first demo expense, stored as the upload page stores one."""
    from remun.project_records.models import Expense
    from remun.reciprocity.receipts import store

    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        expense = session.scalars(select(Expense).order_by(Expense.id)).first()
        receipt = store(session, expense, PNG, "image/png", "bus.png", instance, None)
        session.commit()
        name = receipt.stored_name
    engine.dispose()
    return name


def checkpoint_now(url: str, instance: Path) -> int:
    """Record the ledger head as a checkpoint, as `remun verify` does (issue 14)."""
    from remun.ledger.checkpoints import checkpoint_path, record_checkpoint

    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        sequence, head_hash = connection.execute(text("SELECT sequence, last_hash FROM ledger_head")).one()
    engine.dispose()
    record_checkpoint(checkpoint_path(instance), sequence, head_hash)
    return sequence


def statements(url: str) -> dict:
    """Every person's statement balance, as the statement page shows it."""
    from remun.ledger.balances import person_balance
    from remun.project_records.models import Person

    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        figures = {person.id: repr(person_balance(session, person.id))
                   for person in session.scalars(select(Person).order_by(Person.id))}
    engine.dispose()
    return figures


def figures(env, url: str, tmp_path: Path, label: str) -> dict:
    """Balances, statements and the finance export (its control totals and the whole Ledger CSV)."""
    workbook, ledger_csv = tmp_path / f"{label}.xlsx", tmp_path / f"{label}.csv"
    export = ok(env, "export", "--out", str(workbook), "--csv", str(ledger_csv))
    return {
        "balances": json.loads(ok(env, "balances", "--project", PROJECT, "--json")),
        "statements": statements(url),
        "export totals": [line for line in export.splitlines() if "debits" in line],
        "ledger csv": ledger_csv.read_bytes(),
    }


def test_restore_drill(drill, tmp_path):
    env, url, instance, recreate_empty = drill
    ok(env, "migrate")
    ok(env, "demo")
    batch = json.loads(ok(env, "batch", "create", "--project", PROJECT, "--json"))["batch"]
    ok(env, "batch", "paid", str(batch))
    receipt = add_receipt(url, instance)
    sequence = checkpoint_now(url, instance)
    before = figures(env, url, tmp_path, "before")
    assert before["export totals"] and before["balances"]["people"]

    backup = tmp_path / "backups" / "remun.tar.gz"
    made = ok(env, "backup", "--out", str(backup))
    assert f"up to ledger transaction {sequence}" in made and "1 receipts" in made
    assert oct(backup.stat().st_mode & 0o777) == "0o600"  # it holds personal data

    recreate_empty()  # the server is lost: database and receipts gone; the checkpoint file was kept apart
    shutil.rmtree(instance / "receipts")
    assert run(env, "balances", "--project", PROJECT).returncode != 0

    restored = run(env, "restore", str(backup))
    print(restored.stdout, restored.stderr)  # the drill's output, shown with pytest -s
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"Nothing is missing: the ledger reaches transaction {sequence}" in restored.stdout
    assert "The restore is complete." in restored.stdout
    assert (instance / "receipts" / receipt).read_bytes() == PNG

    assert "The ledger is intact" in ok(env, "verify")
    after = figures(env, url, tmp_path, "after")
    assert after == before


def test_restore_says_plainly_what_is_missing(drill, tmp_path):
    env, url, instance, recreate_empty = drill
    ok(env, "migrate")
    ok(env, "demo")
    backup = tmp_path / "remun.tar.gz"
    ok(env, "backup", "--out", str(backup))
    # After the backup: a batch is paid and verify records a newer checkpoint.
    batch = json.loads(ok(env, "batch", "create", "--project", PROJECT, "--json"))["batch"]
    ok(env, "batch", "paid", str(batch))
    after_backup = checkpoint_now(url, instance)

    recreate_empty()
    restored = run(env, "restore", str(backup))
    assert restored.returncode == 1
    assert "MISSING:" in restored.stderr and f"to {after_backup})" in restored.stderr
    assert "NOT complete" in restored.stderr

    again = run(env, "restore", str(backup))  # never over data that is there
    assert again.returncode == 1 and "Nothing was restored. The database is not empty." in again.stderr


def test_a_damaged_backup_restores_nothing(drill, tmp_path):
    env, url, instance, recreate_empty = drill
    ok(env, "migrate")
    ok(env, "demo")
    add_receipt(url, instance)
    backup = tmp_path / "remun.tar.gz"
    ok(env, "backup", "--out", str(backup))
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(backup.read_bytes()[: backup.stat().st_size - 200])  # a copy cut short
    recreate_empty()
    shutil.rmtree(instance / "receipts")
    restored = run(env, "restore", str(damaged))
    assert restored.returncode == 1
    assert "Nothing was restored." in restored.stderr and "damaged" in restored.stderr
    assert "Traceback" not in restored.stderr
    assert not (instance / "receipts").exists()
    ok(env, "restore", str(backup))  # the database was left empty, so the good copy still restores


def test_a_receipt_file_lost_before_the_backup_is_reported(drill, tmp_path):
    env, url, instance, recreate_empty = drill
    ok(env, "migrate")
    ok(env, "demo")
    receipt = add_receipt(url, instance)
    checkpoint_now(url, instance)
    (instance / "receipts" / receipt).unlink()
    backup = tmp_path / "remun.tar.gz"
    ok(env, "backup", "--out", str(backup))
    recreate_empty()
    restored = run(env, "restore", str(backup))
    assert restored.returncode == 1
    assert "MISSING: the files of 1 receipts" in restored.stderr


def test_not_a_backup_is_refused(drill, tmp_path):
    env, _url, _instance, _recreate = drill
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar file")
    result = run(env, "restore", str(bogus))
    assert result.returncode == 1 and "is not a Remun backup" in result.stderr and "Traceback" not in result.stderr


def test_an_sqlite_backup_does_not_wait_for_a_writer_nor_copy_what_it_has_not_committed(tmp_path):
    """The online backup API: safe while the app runs (a write transaction held open meanwhile)."""
    import sqlite3
    import tarfile

    from remun.database import upgrade
    from remun.upkeep.backup import make_backup

    path = tmp_path / "live.sqlite3"
    upgrade(f"sqlite:///{path}")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO projects (name) VALUES ('Not committed yet')")
    try:
        manifest = make_backup(f"sqlite:///{path}", tmp_path / "instance", tmp_path / "live.tar.gz")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert manifest.migration is not None and manifest.receipts == 0
    with tarfile.open(tmp_path / "live.tar.gz") as archive:
        archive.extractall(tmp_path / "copy")
    copy = sqlite3.connect(tmp_path / "copy" / "database.sqlite3")
    assert copy.execute("SELECT count(*) FROM projects").fetchone() == (0,)
    copy.close()


def test_an_unreachable_database_is_said_plainly(tmp_path):
    env = dict(os.environ, REMUN_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/remun",
               REMUN_INSTANCE_PATH=str(tmp_path / "instance"))
    made = run(env, "backup", "--out", str(tmp_path / "b.tar.gz"))
    assert made.returncode == 1 and "No backup was made. The database cannot be reached" in made.stderr
    assert "Traceback" not in made.stderr and not (tmp_path / "b.tar.gz").exists()
