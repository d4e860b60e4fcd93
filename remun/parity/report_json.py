"""The parity report as JSON: what `remun parity --json`, `/projects/<id>/parity.json`, the API and the
kept reports (remun/parity/report_cache.py) print. Money, hours and percentages are strings, never floats,
rounded once (remun/money.py)."""

from __future__ import annotations

from decimal import Decimal

from remun.money import round_money
from remun.parity.report import ProjectParity
from remun.parity.rules import GapClosure
from remun.pay.rate_cards import LivingWageWindow, RateEntry


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(round_money(value))


def _hours(value: Decimal) -> str:
    return str(round_money(value))


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def report_as_json(report: ProjectParity) -> dict:
    """The report as plain data: money and percentages as strings, never floats."""
    groups = []
    for group in report.groups:
        comparator = group.comparator
        groups.append({
            "group": group.name,
            "comparator": None if comparator is None else {
                "role": comparator.offer.title,
                "effective_hourly_rate": _money(comparator.effective_hourly_rate),
            },
            "roles": [
                {
                    "role": role.offer.title,
                    "kind": role.offer.kind.value,
                    "basis": role.offer.terms.basis.value,
                    "hours_given": _hours(role.hours_given),
                    "pay_per_session": _money(role.pay_per_session),
                    "effective_hourly_rate": _money(role.effective_hourly_rate),
                    "gap_percent": _percent(role.gap_percent),
                    "parity": role.parity,
                    "below_living_wage": role.below_living_wage,
                    "is_comparator": role.is_comparator,
                    "closing_the_gap": _closure_json(report.closures.get(role.offer.key)),
                }
                for role in group.roles
            ],
        })
    gap = report.pay_gap
    return {
        "project": report.project_name,
        "currency": report.currency,
        "date": report.on_date.isoformat(),
        "real_living_wage": _money(report.living_wage),
        "real_living_wage_source": _entry_json(report.living_wage_entry),
        "living_wage_window": None if report.living_wage_window is None else {
            "previous_rate": _money(report.living_wage_window.previous.amount),
            "previous_rate_allowed_until": report.living_wage_window.until.isoformat(),
            "message": living_wage_window_message(report.living_wage_window),
        },
        "stale_rates": [card.as_json() for card in report.stale_rates],
        "groups": groups,
        "roles_without_group": list(report.ungrouped),
        "roles_without_rate_on_date": list(report.unpriced),
        "basis": report.basis.as_json(),
        "roles": [
            {
                "role": role.title,
                "kind": role.kind.value,
                "offered": {"hourly_rate": _money(role.offered_rate)},
                "due": {"amount": _money(role.due), "hours": _hours(role.due_hours)},
                "paid_or_given": {
                    "amount": _money(role.paid_or_given), "hours": _hours(role.paid_hours),
                    "hourly_rate": _money(role.parity.hourly_rate), "gap_percent": _percent(role.parity.gap_percent),
                    "parity": role.parity.parity,
                },
                "declined": {"amount": _money(role.declined), "hours": _hours(role.declined_hours)},
                "source": "terms" if role.from_terms else "ledger",
            }
            for role in report.by_role
        ],
        "paid": [
            {
                "name": person.name,
                "role": person.role_title,
                "kind": person.kind.value,
                "sessions": person.sessions,
                "hours_given": _hours(person.hours_given),
                "received": _money(person.received),
                "hourly_rate": _money(person.parity.hourly_rate),
                "gap_percent": _percent(person.parity.gap_percent),
                "parity": person.parity.parity,
                "due": _money(person.due),
                "declined": _money(person.declined),
            }
            for person in report.paid
        ],
        "pay_gap": {
            "mean_percent": _percent(gap.mean_gap_percent) if gap else None,
            "median_percent": _percent(gap.median_gap_percent) if gap else None,
            "withheld": gap.withheld if gap else True,
            "reasons": [reason.value for reason in gap.reasons] if gap else [],
            "threshold": gap.threshold if gap else None,
        },
    }


def _entry_json(entry: RateEntry | None) -> dict | None:
    if entry is None:
        return None
    return {"ref": entry.ref, "amount": _money(entry.amount), "effective_from": entry.effective_from.isoformat(),
            "source_url": entry.url, "added_by_organisation": entry.added_by_organisation,
            "added_on": entry.added_on.isoformat() if entry.added_on else None}


def living_wage_window_message(window: LivingWageWindow) -> str:
    """In English, for the command line and JSON (the pages translate their own)."""
    from remun.pay.rate_review import window_message

    return window_message(window)


def _closure_json(closure: GapClosure | None) -> dict | None:
    if closure is None:
        return None
    return {
        "parity_rate": _money(closure.parity_rate),
        "extra_per_session": _money(closure.extra_per_session),
        "sessions": closure.sessions,
        "extra_for_sessions": _money(closure.extra_for_sessions),
        "paid_time_options": [
            {
                "pays_preparation": option.pays_preparation,
                "pays_travel": option.pays_travel,
                "effective_hourly_rate": _money(option.effective_hourly_rate),
                "reaches_parity": option.reaches_parity,
                "extra_per_session": _money(option.extra_per_session),
            }
            for option in closure.paid_time_options
        ],
    }


