"""Scheduled checks: `remun checks run verify|rates|cleanup` (issue 21)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from sqlalchemy import select, text

from remun.cli.main import cli
from remun.upkeep.checks import read_status, status_path


@pytest.fixture
def run_check(app):
    runner = app.test_cli_runner()

    def run(name):
        return runner.invoke(cli, ["checks", "run", name])

    return run


@pytest.fixture
def sent_mail(app, monkeypatch):
    from remun.accounts import mail

    sent = []
    app.extensions["remun.smtp"] = mail.SmtpSettings(host="mail.example.org", port=587, sender="remun@example.org")
    monkeypatch.setattr(mail, "send", lambda settings, to, subject, body: sent.append((to, subject, body)))
    return sent


def _status(app):
    return read_status(status_path(__import__("pathlib").Path(app.instance_path)))


def test_verify_passes_and_is_recorded(app, run_check, db_session, rate_book):
    from remun.project_records.demo import load_demo
    from remun.ledger.demo import load_demo_ledger

    load_demo_ledger(db_session, rate_book, load_demo(db_session, rate_book))
    db_session.commit()
    result = run_check("verify")
    assert result.exit_code == 0, result.output
    assert "verify: passed. The ledger is intact" in result.output
    status = _status(app)["verify"]
    assert status["ok"] is True and status["failures"] == 0 and status["last_success"] == status["last_run"]


def test_a_failed_verify_is_logged_counted_and_emailed(app, run_check, db_session, admin_user, make_user, sent_mail):
    make_user("admin", email="second-admin@example.org")
    make_user("finance", email="finance@example.org")
    db_session.execute(text("UPDATE ledger_head SET sequence = sequence + 5"))  # as if the newest were removed
    db_session.commit()
    first, second = run_check("verify"), run_check("verify")
    assert first.exit_code == 1 and second.exit_code == 1
    assert "verify: FAILED." in first.output and "the latest transactions are missing" in first.output
    status = _status(app)["verify"]
    assert status["ok"] is False and status["failures"] == 2 and "last_success" not in status
    assert sorted({to for to, _subject, _body in sent_mail}) == ["admin@example.org", "second-admin@example.org"]
    assert all("the latest transactions are missing" in body for _to, _subject, body in sent_mail)


def test_cleanup_removes_links_long_expired_or_used(app, run_check, db_session, admin_user):
    from remun.accounts.models import OneTimeToken, TokenPurpose

    now = dt.datetime.now(dt.timezone.utc)
    for name, expires, used in (("fresh", now + dt.timedelta(days=1), None),
                                ("just expired", now - dt.timedelta(days=1), None),
                                ("long expired", now - dt.timedelta(days=40), None),
                                ("used long ago", now + dt.timedelta(days=1), now - dt.timedelta(days=31))):
        db_session.add(OneTimeToken(user_id=admin_user.id, purpose=TokenPurpose.PASSWORD_RESET,
                                    token_hash=name.replace(" ", "-").ljust(64, "0"), expires_at=expires, used_at=used))
    db_session.commit()
    result = run_check("cleanup")
    assert result.exit_code == 0, result.output
    assert "removed 2 expired or used personal links" in result.output
    left = set(db_session.scalars(select(OneTimeToken.token_hash)))
    assert left == {"fresh".ljust(64, "0"), "just-expired".ljust(64, "0")}
    assert _status(app)["cleanup"]["counts"] == {"links_removed": 2}


def test_rates_counts_overdue_cards(app, run_check, monkeypatch, sent_mail, admin_user):
    # With the clock at 2026-12-07 and only the shipped cards, the Real Living Wage is overdue (issue 17).
    from remun.pay import rate_review

    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 12, 7))
    result = run_check("rates")
    assert result.exit_code == 1
    assert "1 rate card is overdue for review" in result.output
    assert _status(app)["rates"]["counts"] == {"overdue": 1}
    assert [to for to, _s, _b in sent_mail] == ["admin@example.org"]

    # Just before the Real Living Wage was due (late October), nothing is overdue.
    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 10, 1))
    assert run_check("rates").exit_code == 0
    status = _status(app)["rates"]
    assert status["ok"] is True and status["failures"] == 1 and status["counts"] == {"overdue": 0}


def test_a_check_line_is_json(app, run_check):
    import logging

    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Keep()
    logging.getLogger("remun.checks").addHandler(handler)
    try:
        run_check("cleanup")
    finally:
        logging.getLogger("remun.checks").removeHandler(handler)
    entry = json.loads(lines[-1])
    assert entry["event"] == "check" and entry["check"] == "cleanup" and entry["ok"] is True


def test_a_check_that_cannot_reach_the_database_fails_plainly(tmp_path):
    import os
    import shutil
    import subprocess
    from pathlib import Path

    remun = shutil.which("remun", path=str(Path(sys.executable).parent)) or "remun"
    env = dict(os.environ, REMUN_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/remun",
               REMUN_INSTANCE_PATH=str(tmp_path / "instance"), REMUN_SMTP_HOST="mail.example.org",
               REMUN_SMTP_FROM="remun@example.org")
    result = subprocess.run([remun, "checks", "run", "cleanup"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "cleanup: FAILED. the check itself failed: OperationalError" in result.stderr
    assert "could not be emailed" in result.stderr and "Traceback" not in result.stderr
    status = read_status(tmp_path / "instance" / "check-status.json")
    assert status["cleanup"]["failures"] == 1
