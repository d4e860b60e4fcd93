"""`remun thanks`: choosing, showing, a project's totals and a benefits estimate, as a real process."""

from __future__ import annotations

import json

from tests.helpers.cli import run

PROJECT = "Community Mental Health Service Redesign"


def _person_id(env, name_part: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["REMUN_DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.execute(text("SELECT id FROM people WHERE name LIKE :name ORDER BY id"),
                                   {"name": f"%{name_part}%"}).scalar()
    engine.dispose()
    return found


def test_choose_show_and_project_totals(cli_env):  # noqa: F811
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    person = _person_id(cli_env, "")
    bad = run(cli_env, "thanks", "choose", "--person-id", str(person), "--split", "bank_transfer=60,vouchers=30",
              "--detail", "vouchers=Tesco")
    assert bad.returncode == 1 and "add up to 100" in bad.stderr
    missing = run(cli_env, "thanks", "choose", "--person-id", str(person), "--way", "donation")
    assert missing.returncode == 1 and "needs --detail" in missing.stderr
    good = run(cli_env, "thanks", "choose", "--person-id", str(person), "--split", "bank_transfer=70,vouchers=30",
               "--detail", "vouchers=Tesco")
    assert good.returncode == 0, good.stderr
    assert "bank_transfer 70%; vouchers 30% (Tesco)" in good.stdout
    assert run(cli_env, "thanks", "choose", "--person-id", str(person), "--way", "no_payment").returncode == 0
    shown = run(cli_env, "thanks", "show", "--person-id", str(person))
    lines = shown.stdout.splitlines()
    # In force first, then the history, newest first: both new choices and the demo's first one are kept.
    assert lines[0].endswith("no_payment 100%")
    assert [line.split("  ")[-1] for line in lines[1:]] == [
        "no_payment 100%", "bank_transfer 70%; vouchers 30%", "bank_transfer 100%"]
    report = run(cli_env, "thanks", "project", "--project", PROJECT, "--json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert set(data) == {"totals", "people", "not_chosen"}
    assert "no_payment 100%" in data["people"].values()
    estimate = run(cli_env, "thanks", "benefits", "--person-id", str(person), "--date", "2025-06-04")
    assert estimate.returncode == 0 and "Information, not advice" in estimate.stdout
    assert "195.50" in estimate.stdout  # the ESA higher limit in force in June 2025
    assert run(cli_env, "thanks", "show", "--person-id", "999999").returncode == 1
