"""Backups that restore: the database and the receipts in one file; secrets kept apart.

A backup is a gzip'd tar file holding

- ``manifest.json``: when it was made, the database kind, its migration and the ledger head in it;
- ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format) or ``database.sqlite3``
  (SQLite, copied with the online backup API, so the app may keep running);
- ``receipts/<stored name>``: every receipt file.

The instance secrets (``secret_key``, ``ledger_key``) and the ledger checkpoints are *not*
in it: a stolen backup must not carry the keys to forge sessions or re-sign the ledger, and the
checkpoints are what a restore is checked against, so they must live somewhere else
(docs/operations.md says where).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

import remun
from remun.database import ensure_sqlite_folder, make_engine

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
RECEIPTS_PREFIX = "receipts/"
#: Receipts are stored under random hex names (remun/reciprocity/receipts.py); nothing else is restored.
RECEIPT_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|pdf)$")


class BackupProblem(Exception):
    """The backup or restore could not be done; the message says why in plain words."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str
    migration: str | None
    ledger_sequence: int | None
    ledger_hash: str | None
    receipts: int
    remun_version: str = remun.__version__
    format: int = FORMAT

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        values = json.loads(data)
        if values.get("format") != FORMAT:
            raise BackupProblem(f"This backup is in format {values.get('format')}; this Remun reads format {FORMAT}.")
        return cls(**{key: values.get(key) for key in cls.__dataclass_fields__})


def backend_of(url: str) -> str:
    return make_url(url).get_backend_name()


def libpq_environment(url: str) -> dict[str, str]:
    """PG* variables for pg_dump and pg_restore, so the password never appears in a process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    for name, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                        ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database),
                        ("PGSSLMODE", parsed.query.get("sslmode"))):
        if value:
            env[name] = str(value)
    return env


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupProblem("An SQLite database in memory cannot be backed up or restored.")
    return Path(database)


def _ledger_head(connection) -> tuple[int | None, str | None, str | None]:
    """(head sequence, head hash, migration) as the connection sees them."""
    tables = set(inspect(connection).get_table_names())
    migration = connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in tables else None
    if "ledger_head" not in tables:
        return None, None, migration
    row = connection.execute(text("SELECT sequence, last_hash FROM ledger_head WHERE id = 1")).first()
    return (int(row[0]), row[1], migration) if row else (None, None, migration)


@contextmanager
def _connected(engine: Engine):
    try:
        connection = engine.connect()
    except OperationalError as error:
        raise BackupProblem(f"The database cannot be reached: {str(error.orig).strip().splitlines()[0]}") from error
    with connection:
        yield connection


def _receipt_files(receipts_folder: Path) -> list[Path]:
    if not receipts_folder.is_dir():
        return []
    return sorted(path for path in receipts_folder.iterdir() if path.is_file() and RECEIPT_NAME.match(path.name))


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def make_backup(url: str, instance_folder: Path, out: Path) -> Manifest:
    """Write a backup of the database at ``url`` and the receipts under ``instance_folder`` to ``out``.

    The database is copied first and the receipts after: a receipt's file is written before its
    row, so every receipt the copied database knows of is already on disk when the files are read.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="remun-backup-") as work:
        work_dir = Path(work)
        if backend_of(url) == "postgresql":
            member, sequence, head_hash, migration = PG_DUMP_MEMBER, *_dump_postgres(url, work_dir / PG_DUMP_MEMBER)
        elif backend_of(url) == "sqlite":
            member, sequence, head_hash, migration = SQLITE_MEMBER, *_copy_sqlite(url, work_dir / SQLITE_MEMBER)
        else:
            raise BackupProblem(f"Remun backs up PostgreSQL and SQLite, not {backend_of(url)}.")
        from remun.reciprocity.receipts import folder as receipts_folder

        receipts = _receipt_files(receipts_folder(instance_folder))
        manifest = Manifest(created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                            database=backend_of(url), migration=migration, ledger_sequence=sequence,
                            ledger_hash=head_hash, receipts=len(receipts))
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds personal data
        try:
            with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, manifest.as_json().encode())
                archive.add(work_dir / member, arcname=member)
                for receipt in receipts:
                    archive.add(receipt, arcname=RECEIPTS_PREFIX + receipt.name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, out)  # a backup file is whole or absent, never half-written
    return manifest


def _dump_postgres(url: str, target: Path) -> tuple[int | None, str | None, str | None]:
    """pg_dump in custom format from one snapshot, which is also where the head in the manifest is read."""
    if shutil.which("pg_dump") is None:
        raise BackupProblem("pg_dump is not installed (Debian: apt install postgresql-client).")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with _connected(engine) as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
                sequence, head_hash, migration = _ledger_head(connection)
                done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                                       f"--snapshot={snapshot}", f"--file={target}"],
                                      env=libpq_environment(url), capture_output=True, text=True)
                if done.returncode != 0:
                    raise BackupProblem(f"pg_dump failed: {done.stderr.strip()}")
    finally:
        engine.dispose()
    return sequence, head_hash, migration


def _copy_sqlite(url: str, target: Path) -> tuple[int | None, str | None, str | None]:
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupProblem(f"There is no database at {source_path}.")
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy while others write
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return _ledger_head(connection)
    finally:
        engine.dispose()


# --- Restore -------------------------------------------------------------------------------------


def read_manifest(backup: Path) -> Manifest:
    try:
        with tarfile.open(backup, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except (OSError, EOFError, zlib.error, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupProblem(f"{backup} is not a Remun backup, or is damaged ({error or type(error).__name__}).") from error


def database_is_empty(url: str) -> bool:
    if backend_of(url) == "sqlite":
        path = sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = create_engine(url, poolclass=NullPool)
    try:
        with _connected(engine) as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore_backup(backup: Path, url: str, instance_folder: Path) -> Manifest:
    """Restore the database and receipts from ``backup`` into the empty database at ``url``."""
    manifest = read_manifest(backup)
    if manifest.database != backend_of(url):
        raise BackupProblem(f"This is a backup of a {manifest.database} database; "
                            f"REMUN_DATABASE_URL is a {backend_of(url)} database.")
    if not database_is_empty(url):
        raise BackupProblem("The database is not empty. Restore only into a new, empty database, "
                            "so nothing in it is overwritten or mixed with the backup.")
    _check_whole(backup)
    with tempfile.TemporaryDirectory(prefix="remun-restore-") as work, tarfile.open(backup, "r:gz") as archive:
        work_dir = Path(work)
        if manifest.database == "postgresql":
            _extract(archive, PG_DUMP_MEMBER, work_dir / PG_DUMP_MEMBER)
            _restore_postgres(work_dir / PG_DUMP_MEMBER, url)
        else:
            _extract(archive, SQLITE_MEMBER, work_dir / SQLITE_MEMBER)
            _restore_sqlite(work_dir / SQLITE_MEMBER, url)
        _restore_receipts(archive, instance_folder)
    return manifest


def _check_whole(backup: Path) -> None:
    """Read the whole file once before restoring anything, so a damaged copy restores nothing."""
    try:
        with tarfile.open(backup, "r:gz") as archive:
            for member in archive:
                if member.isfile():
                    with archive.extractfile(member) as data:
                        while data.read(1 << 20):
                            pass
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise BackupProblem(f"{backup} is damaged or incomplete ({error}); use another copy.") from error


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    member = archive.extractfile(name)
    if member is None:
        raise BackupProblem(f"The backup has no {name}.")
    with member, target.open("wb") as handle:
        shutil.copyfileobj(member, handle)


def _restore_postgres(dump: Path, url: str) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupProblem("pg_restore is not installed (Debian: apt install postgresql-client).")
    done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                           f"--dbname={make_url(url).database}", str(dump)],
                          env=libpq_environment(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupProblem(f"pg_restore failed, and nothing was restored: {done.stderr.strip()}")


def _restore_sqlite(copy_path: Path, url: str) -> None:
    target_path = sqlite_path(url)
    ensure_sqlite_folder(url)
    source = sqlite3.connect(copy_path)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_receipts(archive: tarfile.TarFile, instance_folder: Path) -> None:
    from remun.reciprocity.receipts import folder as receipts_folder

    target = receipts_folder(instance_folder)
    for member in archive.getmembers():
        if not member.name.startswith(RECEIPTS_PREFIX):
            continue
        name = member.name[len(RECEIPTS_PREFIX):]
        if not member.isfile() or not RECEIPT_NAME.match(name):
            raise BackupProblem(f"The backup holds an unexpected file {member.name!r}; nothing more was restored.")
        data = archive.extractfile(member).read()
        target.mkdir(parents=True, exist_ok=True)
        path = target / name
        if path.exists():
            if path.read_bytes() != data:
                raise BackupProblem(f"A different receipt {name} is already in {target}; it was left as it is.")
            continue
        path.write_bytes(data)


# --- After a restore: is anything missing? ------------------------------------------------------


@dataclass
class RestoreReport:
    """What a restore found, in plain sentences; ``complete`` only when nothing is missing or wrong."""

    lines: list[str] = field(default_factory=list)
    #: What Remun cannot tell (no checkpoint to compare with): said plainly, but not a failure.
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def check_restored(session: Session, instance_folder: Path, manifest: Manifest, checkpoints: Path,
                   newest_migration: str | None) -> RestoreReport:
    """Verify the restored ledger, compare its head with the latest checkpoint, and look for receipts."""
    from remun.ledger.checkpoints import latest_checkpoint
    from remun.ledger.models import LedgerHead, LedgerTransaction
    from remun.ledger.verify import verify_ledger
    from remun.reciprocity.models import Receipt
    from remun.reciprocity.receipts import path_of

    report = RestoreReport()
    report.lines.append(f"Restored the backup made at {manifest.created_at} "
                        f"(Remun {manifest.remun_version}, database at migration {manifest.migration}).")
    if newest_migration and manifest.migration != newest_migration:
        report.lines.append(f"This Remun's newest migration is {newest_migration}: run `remun migrate` next.")

    result = verify_ledger(session)
    if result.ok:
        report.lines.append(f"The ledger is intact: {result.transactions} transactions, {result.postings} postings.")
    else:
        for problem in result.problems[:10]:
            report.problems.append(f"remun verify: transaction {problem.transaction_id or '-'}: {problem.message}.")

    head = session.get(LedgerHead, 1)
    head_sequence = head.sequence if head else 0
    if manifest.ledger_sequence is not None and head_sequence != manifest.ledger_sequence:
        report.problems.append(f"The restored ledger reaches transaction {head_sequence}, but the backup was made "
                               f"at transaction {manifest.ledger_sequence}: the backup file is not what it says.")
    try:
        checkpoint = latest_checkpoint(checkpoints)
    except ValueError as error:
        checkpoint = None
        report.problems.append(f"The checkpoint file cannot be read: {error}")
    if checkpoint is None:
        report.warnings.append(
            f"There is no ledger checkpoint at {checkpoints}, so Remun cannot tell whether transactions made after "
            "this backup are missing. Copy the checkpoint file back from where it is kept (docs/operations.md).")
    elif head_sequence < checkpoint.sequence:
        missing = checkpoint.sequence - head_sequence
        report.problems.append(
            f"MISSING: {missing} ledger transaction{'s' if missing != 1 else ''} "
            f"(numbers {head_sequence + 1} to {checkpoint.sequence}). The latest checkpoint, from "
            f"{checkpoint.recorded_at:%Y-%m-%d %H:%M} UTC, counts {checkpoint.sequence}; this backup has {head_sequence}. "
            "They were recorded after the backup was made and must be entered again from other records.")
    else:
        at_checkpoint = session.scalar(
            select(LedgerTransaction.hash).where(LedgerTransaction.sequence == checkpoint.sequence))
        if at_checkpoint != checkpoint.head_hash:
            report.problems.append(
                f"DIFFERENT: transaction number {checkpoint.sequence} does not match the checkpoint of "
                f"{checkpoint.recorded_at:%Y-%m-%d %H:%M} UTC: this ledger is not the one the checkpoint saw.")
        else:
            report.lines.append(
                f"Nothing is missing: the ledger reaches transaction {head_sequence} and contains the latest "
                f"checkpoint (number {checkpoint.sequence}, {checkpoint.recorded_at:%Y-%m-%d %H:%M} UTC).")

    missing_files = [receipt.id for receipt in session.scalars(select(Receipt))
                     if not path_of(receipt, instance_folder).is_file()]
    if missing_files:
        report.problems.append(f"MISSING: the files of {len(missing_files)} receipts (receipt ids "
                               f"{', '.join(map(str, missing_files[:20]))}).")
    else:
        report.lines.append(f"Every receipt's file is there ({manifest.receipts} in the backup).")
    return report


@contextmanager
def restored_session(url: str) -> Iterator[Session]:
    engine: Engine = make_engine(url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


__all__ = ["BackupProblem", "Manifest", "RestoreReport", "check_restored", "make_backup",
           "read_manifest", "restore_backup", "restored_session"]
