"""Scheduled checks (`remun checks run verify|rates|cleanup`): their results kept for the metrics.

Each run is written to a small JSON status file in the instance folder (REMUN_CHECK_STATUS_FILE
to put it elsewhere): when it last ran, when it last passed, how many runs failed, and a few
counts. The metrics server reads it at each scrape, so cron or a systemd timer can run the
checks in processes of their own. No personal data goes into it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

STATUS_FILE = "check-status.json"
CHECKS = ("verify", "rates", "cleanup")
#: A used or expired personal link is kept this long (to answer "this link was already used"), then removed.
USED_LINKS_KEPT = dt.timedelta(days=30)

log = logging.getLogger("remun.checks")


@dataclass
class CheckResult:
    check: str
    ok: bool
    summary: str
    counts: dict[str, int] = field(default_factory=dict)


def status_path(instance_folder: Path) -> Path:
    return Path(os.environ.get("REMUN_CHECK_STATUS_FILE", instance_folder / STATUS_FILE))


def read_status(path: Path) -> dict[str, dict]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_result(path: Path, result: CheckResult, at: dt.datetime | None = None) -> dict:
    """Add a run to the status file (locked, then replaced whole, so a reader never sees half of it)."""
    at = at or dt.datetime.now(dt.timezone.utc)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = read_status(path)
        entry = status.setdefault(result.check, {"failures": 0})
        entry.update(last_run=at.timestamp(), ok=result.ok, summary=result.summary, counts=result.counts)
        if result.ok:
            entry["last_success"] = at.timestamp()
        else:
            entry["failures"] = int(entry.get("failures", 0)) + 1
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(status, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)
    log.log(logging.INFO if result.ok else logging.ERROR, json.dumps(
        {"event": "check", "check": result.check, "ok": result.ok, "summary": result.summary,
         "counts": result.counts, "time": at.isoformat(timespec="seconds")}, sort_keys=True))
    return entry


def cleanup(session: Session, now: dt.datetime | None = None) -> CheckResult:
    """Remove personal links (invitations, password resets) that expired or were used a while ago.

    Sessions are signed cookies that expire by themselves (nothing is stored to remove), and
    downloads are streamed as they are made (no stored download links to remove).
    """
    from remun.accounts.models import OneTimeToken

    now = now or dt.datetime.now(dt.timezone.utc)
    removed = session.execute(
        delete(OneTimeToken).where(or_(OneTimeToken.expires_at < now - USED_LINKS_KEPT,
                                       OneTimeToken.used_at < now - USED_LINKS_KEPT))
    ).rowcount
    return CheckResult("cleanup", True, f"removed {removed} expired or used personal links",
                       {"links_removed": int(removed or 0)})


def administrators_to_tell(session: Session) -> list[str]:
    from sqlalchemy import select

    from remun.accounts.models import User, UserRole

    return list(session.scalars(select(User.email).where(User.role == UserRole.ADMIN, User.active.is_(True))
                                .order_by(User.email)))
