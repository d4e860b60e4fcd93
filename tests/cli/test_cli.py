"""The `remun` command as people run it: a real process, on its own database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re

import openpyxl

from tests.helpers.cli import run


def test_migrate_demo_and_parity(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    first = run(cli_env, "demo")
    assert first.returncode == 0, first.stderr
    assert "is ready" in first.stdout
    assert run(cli_env, "demo").returncode == 0  # a second run adds nothing
    result = run(cli_env, "parity", "--project", "Community Mental Health Service Redesign", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {group["group"] for group in report["groups"]} >= {"Co-chair", "Carer representative"}


def test_rates_lists_what_is_loaded(cli_env):
    result = run(cli_env, "rates", "--all")
    assert result.returncode == 0
    assert "real-living-wage/uk" in result.stdout and "13.45" in result.stdout
    assert "sources" in result.stdout.splitlines()[-1]


def test_a_bad_rates_file_stops_the_command_plainly(cli_env, tmp_path):
    rates = tmp_path / "rates"
    rates.mkdir()
    (rates / "broken.toml").write_text('[source]\nid = "x"\n', encoding="utf-8")
    result = run(dict(cli_env, REMUN_RATES_DIR=str(rates)), "rates")
    assert result.returncode == 2
    assert "broken.toml" in result.stderr and "Traceback" not in result.stderr


def test_template_then_import_then_import_again(cli_env, tmp_path):
    assert run(cli_env, "migrate").returncode == 0
    path = tmp_path / "project.xlsx"
    assert run(cli_env, "template", str(path)).returncode == 0
    book = openpyxl.load_workbook(path)
    project = book["Project"]
    for row in project.iter_rows(min_row=2):
        if row[0].value == "Name":
            row[1].value = "Imported from the command line"
        if row[0].value == "Start":
            row[1].value = "2026-04-01"
    book["Roles"].append(["Co-chair (lived experience)", "Co-chair", "Lived experience", "Session", 90, None, 3, 2,
                          "No", 1, "No"])
    book["People"].append(["Flora MacDonald", "Co-chair (lived experience)", "2026-04-01", None, None, "en", None,
                           "Vouchers"])
    book["Sessions"].append(["2026-05-05", "Steering group", 3])
    book["Attendance"].append(["2026-05-05", "Steering group", "Flora MacDonald", 3, 2, 1, 4.8, "Travel", "Bus"])
    book.save(path)

    first = run(cli_env, "import", str(path))
    assert first.returncode == 0, first.stderr
    again = run(cli_env, "import", str(path))
    assert again.returncode == 0
    assert " 0 added, 0 updated" in again.stdout and not re.search(r"[1-9]\d* (added|updated)", again.stdout)

    book["Attendance"].append(["2026-05-05", "Steering group", "Nobody We Know", 3, 0, 0, None, None, None])
    book.save(path)
    bad = run(cli_env, "import", str(path))
    assert bad.returncode == 1
    assert "Nothing was imported" in bad.stderr and "sheet Attendance, row 3" in bad.stderr

    for number in range(250):  # more problems than are listed: the first 200, and a count of the rest
        book["Attendance"].append(["2026-05-05", "Steering group", f"Nobody {number}", 3, 0, 0, None, None, None])
    book.save(path)
    many = run(cli_env, "import", str(path))
    assert many.returncode == 1
    assert "Fix these 251 problems" in many.stderr
    assert many.stderr.count("sheet Attendance, row") == 200
    assert "...and 51 more: fix these first" in many.stderr


def test_unknown_project_is_a_plain_error(cli_env):
    run(cli_env, "migrate")
    result = run(cli_env, "parity", "--project", "Missing")
    assert result.returncode != 0
    assert "There is no project called “Missing”" in result.stderr
