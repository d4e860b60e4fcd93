"""`remun rates check` and `remun rates add`, run as people run them (a real process, its own database)."""

from __future__ import annotations

import json

from tests.helpers.cli import run

PROJECT = "Community Mental Health Service Redesign"
#: A TEST FIGURE, not a published rate: the test only needs a figure that is plainly not the shipped one.
TEST_SOURCE = "https://example.org/test-figure-not-a-published-rate"


def test_rates_check_with_only_the_shipped_cards_in_december_2026(cli_env):
    result = run(cli_env, "rates", "check", "--date", "2026-12-07")
    assert result.returncode == 1
    assert "real-living-wage: The Real Living Wage is normally updated in late October. Remun's newest figure is " \
           "£13.45, from 22 October 2025. An administrator can add the new figure." in result.stdout
    assert "national-living-wage" not in result.stdout
    quiet = run(cli_env, "rates", "check", "--date", "2026-10-30")
    assert quiet.returncode == 0 and "up to date" in quiet.stdout


def test_parity_says_the_rate_is_overdue_in_text_and_json(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    text = run(cli_env, "parity", "--project", PROJECT, "--date", "2026-12-01")
    assert text.returncode == 0, text.stderr
    assert "WARNING: The Real Living Wage is normally updated in late October." in text.stdout
    report = json.loads(run(cli_env, "parity", "--project", PROJECT, "--date", "2026-12-01", "--json").stdout)
    assert [card["source"] for card in report["stale_rates"]] == ["real-living-wage"]
    assert report["stale_rates"][0]["newest"][0] == {
        "ref": "real-living-wage/uk", "amount": "13.45", "effective_from": "2025-10-22", "added_by_organisation": False}
    assert report["living_wage_window"] is None


def test_a_figure_added_by_the_organisation_is_used_with_the_employers_window(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    for ref, amount in (("real-living-wage/uk", "14.10"), ("real-living-wage/london", "15.50")):
        added = run(cli_env, "rates", "add", ref, "--amount", amount, "--from", "2026-10-21",
                    "--source", TEST_SOURCE, "--note", "TEST FIGURE, not a published rate")
        assert added.returncode == 0, added.stderr
        assert f"Added {ref} = {amount} from 2026-10-21" in added.stdout
    assert run(cli_env, "rates", "check", "--date", "2026-12-07").returncode == 0
    text = run(cli_env, "parity", "--project", PROJECT, "--date", "2026-12-01").stdout
    assert "Real Living Wage that day: 14.10 an hour" in text
    assert f"(added by your organisation on " in text and TEST_SOURCE in text
    assert "until 1 May 2027" in text and "£13.45" in text
    assert "WARNING" not in text
    report = json.loads(run(cli_env, "parity", "--project", PROJECT, "--date", "2026-12-01", "--json").stdout)
    assert report["real_living_wage"] == "14.10" and report["stale_rates"] == []
    assert report["living_wage_window"]["previous_rate"] == "13.45"
    assert report["living_wage_window"]["previous_rate_allowed_until"] == "2027-05-01"
    assert report["real_living_wage_source"]["added_by_organisation"] is True
    # Before the figure starts, the card's figure is still used.
    assert json.loads(run(cli_env, "parity", "--project", PROJECT, "--date", "2026-10-20", "--json").stdout)[
        "real_living_wage"] == "13.45"


def test_adding_a_figure_that_cannot_be_used_says_what_to_fix(cli_env):
    assert run(cli_env, "migrate").returncode == 0
    result = run(cli_env, "rates", "add", "real-living-wage/nowhere", "--amount", "-1", "--from", "2026-10-21",
                 "--source", "not a link")
    assert result.returncode == 1
    assert "Nothing was added" in result.stderr
    assert "no rate card figure called 'real-living-wage/nowhere'" in result.stderr
    assert "more than zero" in result.stderr and "https://" in result.stderr
