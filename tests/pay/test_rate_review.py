"""Rate cards that are overdue for a new figure, and the organisation's own figures laid over them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from remun.pay.rate_review import overdue_cards
from remun.pay.rate_cards import RateCardError, load_rate_book

#: Every figure a test adds is a TEST FIGURE, not a published rate: nothing in rates/ is made up.
TEST_SOURCE = "https://example.org/test-figure-not-a-published-rate"


def test_every_shipped_card_has_a_review_cycle(rate_book):
    for source in rate_book.sources.values():
        assert source.review is not None, source.id
        assert source.review.called, source.id


def test_real_living_wage_is_overdue_in_december_2026_and_nothing_else(rate_book):
    overdue = overdue_cards(dt.date(2026, 12, 7), rate_book)
    assert [card.source.id for card in overdue] == ["real-living-wage"]
    card = overdue[0]
    assert [entry.ref for entry in card.stale] == ["real-living-wage/uk", "real-living-wage/london"]
    assert card.message() == ("The Real Living Wage is normally updated in late October. Remun's newest figure is "
                              "£13.45, from 22 October 2025. An administrator can add the new figure.")


def test_overdue_only_once_the_announcement_time_has_passed(rate_book):
    assert overdue_cards(dt.date(2026, 10, 31), rate_book) == []  # late October: not yet
    assert [card.source.id for card in overdue_cards(dt.date(2026, 11, 1), rate_book)] == ["real-living-wage"]
    # A year earlier the 2025 figure was in place in time.
    assert overdue_cards(dt.date(2025, 12, 7), rate_book) == []


def test_national_living_wage_is_due_on_1_april(rate_book):
    overdue = {card.source.id: card for card in overdue_cards(dt.date(2027, 4, 1), rate_book)}
    assert "national-living-wage" in overdue and "nhs-scotland-afc" in overdue
    assert overdue["national-living-wage"].when_updated() == "on 1 April"
    assert "national-living-wage" not in {card.source.id for card in overdue_cards(dt.date(2027, 3, 31), rate_book)}


def test_the_universal_credit_taper_does_not_wait_for_april(rate_book):
    overdue = overdue_cards(dt.date(2026, 12, 7), rate_book)
    assert all("benefits/uc-taper-percent" not in [e.ref for e in card.stale] for card in overdue)
    assert rate_book.latest("benefits/uc-taper-percent").per == "percent"


def test_a_new_figure_clears_the_warning_and_opens_the_employers_window(rate_book):
    current = rate_book.latest("real-living-wage/uk")
    test_figures = [
        replace(rate_book.latest(ref), amount=Decimal(amount), effective_from=dt.date(2026, 10, 21), effective_to=None,
                source_url=TEST_SOURCE, note="TEST FIGURE", origin="organisation", added_on=dt.date(2026, 12, 7))
        for ref, amount in (("real-living-wage/uk", "99.01"), ("real-living-wage/london", "99.02"))
    ]
    book = rate_book.with_figures(test_figures)
    assert overdue_cards(dt.date(2026, 12, 7), book) == []
    assert book.lookup("real-living-wage/uk", dt.date(2026, 12, 1)).amount == Decimal("99.01")
    assert book.lookup("real-living-wage/uk", dt.date(2026, 10, 20)) == replace(current, effective_to=dt.date(2026, 10, 20))
    window = book.living_wage_window(dt.date(2026, 12, 1))
    assert window.previous.amount == Decimal("13.45") and window.until == dt.date(2027, 5, 1)
    assert book.living_wage_window(dt.date(2027, 5, 1)) is None
    assert book.living_wage_window(dt.date(2026, 12, 1), london=True).previous.amount == Decimal("14.80")
    # The shipped book is unchanged.
    assert rate_book.lookup("real-living-wage/uk", dt.date(2026, 12, 1)).amount == Decimal("13.45")


def test_a_figure_with_an_end_leaves_the_card_in_force_after_it(rate_book):
    figure = replace(rate_book.latest("real-living-wage/uk"), amount=Decimal("1.23"), effective_from=dt.date(2026, 1, 1),
                     effective_to=dt.date(2026, 1, 31), origin="organisation")
    book = rate_book.with_figures([figure])
    assert book.lookup("real-living-wage/uk", dt.date(2026, 1, 15)).amount == Decimal("1.23")
    assert book.lookup("real-living-wage/uk", dt.date(2026, 2, 1)).amount == Decimal("13.45")
    assert book.lookup("real-living-wage/uk", dt.date(2025, 12, 31)).amount == Decimal("13.45")


def test_a_bad_review_table_is_refused(tmp_path):
    (tmp_path / "x.toml").write_text(
        '[source]\nid = "x"\nname = "X"\npublisher = "P"\nurl = "https://example.org"\nkind = "wage_floor"\n'
        '[source.review]\ncycle = "sometimes"\n'
        '[[entries]]\nkey = "k"\nlabel = "K"\namount = "1"\nper = "hour"\neffective_from = 2024-01-01\n'
        'status = "published"\n', encoding="utf-8")
    with pytest.raises(RateCardError, match="review cycle"):
        load_rate_book(tmp_path)


def test_when_only_the_london_figure_is_stale_the_warning_names_it(rate_book):
    uk = replace(rate_book.latest("real-living-wage/uk"), amount=Decimal("99.01"), effective_from=dt.date(2026, 10, 21),
                 source_url=TEST_SOURCE, note="TEST FIGURE", origin="organisation")
    (card,) = overdue_cards(dt.date(2026, 12, 7), rate_book.with_figures([uk]))
    assert card.message().startswith("The London Living Wage is normally updated in late October. "
                                     "Remun's newest figure is £14.80, from 22 October 2025.")
