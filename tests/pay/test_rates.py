"""Rate cards: the shipped files load, figures are picked by date, bad files are refused plainly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from remun.pay.rate_cards import RateCardError, load_rate_book


def test_the_shipped_rate_cards_load(rate_book):
    assert {"real-living-wage", "national-living-wage", "nhs-scotland-afc", "nihr-involvement"} <= set(rate_book.sources)
    for entry in rate_book.entries():
        assert entry.amount > 0
        assert entry.source.url.startswith("https://")
        if entry.status == "derived":
            assert entry.derivation


def test_real_living_wage_is_picked_by_date(rate_book):
    # The 2025 rate was announced on 22 October 2025; the day before, the 2024 rate applied.
    assert rate_book.living_wage(dt.date(2025, 10, 21)) == Decimal("12.60")
    assert rate_book.living_wage(dt.date(2025, 10, 22)) == Decimal("13.45")
    assert rate_book.living_wage(dt.date(2025, 10, 22), london=True) == Decimal("14.80")
    assert rate_book.living_wage(dt.date(2020, 1, 1)) is None


def test_agenda_for_change_hourly_rates_follow_the_working_week(rate_book):
    entry = rate_book.lookup("nhs-scotland-afc/band-5-entry", dt.date(2024, 6, 1))
    assert entry is not None and entry.annual == Decimal("31892")
    # Scotland's 37-hour week: £31,892 ÷ (37 × 365 ÷ 7) = £16.53.
    assert entry.amount == Decimal("16.53")
    for item in rate_book.entries():
        if item.source.id == "nhs-scotland-afc" and item.annual:
            week = Decimal(36) if item.effective_from >= dt.date(2026, 4, 1) else Decimal(37)
            expected = (item.annual / (week * Decimal(365) / Decimal(7))).quantize(Decimal("0.01"))
            assert item.amount == expected, item.ref


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "card.toml").write_text(text, encoding="utf-8")
    return folder


GOOD_SOURCE = """
[source]
id = "test-card"
name = "Test"
publisher = "Tester"
url = "https://example.org"
kind = "wage_floor"
"""


def test_overlapping_dates_are_refused_naming_the_entry(tmp_path):
    folder = _write(tmp_path / "rates", GOOD_SOURCE + """
[[entries]]
key = "uk"
label = "UK"
amount = "10.00"
per = "hour"
effective_from = 2024-01-01
status = "published"

[[entries]]
key = "uk"
label = "UK"
amount = "11.00"
per = "hour"
effective_from = 2025-01-01
status = "published"
""")
    with pytest.raises(RateCardError) as problem:
        load_rate_book(folder)
    assert problem.value.file == "card.toml"
    assert problem.value.entry == "test-card/uk"
    assert "overlaps" in problem.value.reason


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ('key = "uk"\nlabel = "UK"\namount = 10.5\nper = "hour"\neffective_from = 2024-01-01\nstatus = "published"', "written as text"),
        ('key = "uk"\nlabel = "UK"\namount = "ten"\nper = "hour"\neffective_from = 2024-01-01\nstatus = "published"', "not a number"),
        ('key = "uk"\nlabel = "UK"\namount = "-1"\nper = "hour"\neffective_from = 2024-01-01\nstatus = "published"', "more than zero"),
        ('key = "uk"\nlabel = "UK"\namount = "10"\nper = "fortnight"\neffective_from = 2024-01-01\nstatus = "published"', "per 'fortnight'"),
        ('key = "uk"\nlabel = "UK"\namount = "10"\nper = "hour"\neffective_from = 2024-01-01\nstatus = "derived"', "derivation"),
        ('key = "uk"\nlabel = "UK"\namount = "10"\nper = "hour"\neffective_from = "2024"\nstatus = "published"', "must be a date"),
        ('key = "UK rate"\nlabel = "UK"\namount = "10"\nper = "hour"\neffective_from = 2024-01-01\nstatus = "published"', "lowercase"),
        ('key = "uk"\nlabel = "UK"\namount = "10"\nper = "hour"\neffective_from = 2024-01-01\neffective_to = 2023-01-01\nstatus = "published"', "before effective_from"),
    ],
)
def test_bad_entries_are_refused_with_file_entry_and_reason(tmp_path, entry, reason):
    folder = _write(tmp_path / "rates", GOOD_SOURCE + "\n[[entries]]\n" + entry + "\n")
    with pytest.raises(RateCardError) as problem:
        load_rate_book(folder)
    assert problem.value.file.endswith("card.toml")
    assert problem.value.entry and problem.value.entry.startswith("1")
    assert reason in problem.value.reason


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    folder = _write(tmp_path / "rates", "this is = = not toml")
    with pytest.raises(RateCardError, match="not valid TOML"):
        load_rate_book(folder)


def test_a_bad_rates_file_stops_the_app_starting(tmp_path, monkeypatch):
    from remun import create_app

    folder = _write(tmp_path / "rates", GOOD_SOURCE)  # no entries
    monkeypatch.setenv("REMUN_RATES_DIR", str(folder))
    monkeypatch.setenv("REMUN_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(RateCardError, match=r"card.toml: no \[\[entries\]\]"):
        create_app({"TESTING": True})
