"""``remun parity``: a project's parity report, as a table or JSON."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from remun.cli.common import project_named as _project_named, rate_book as _rates, session as _session


@click.command("parity")
@click.option("--project", "project_name", required=True, help="The project's name.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--date", "on_date", type=click.DateTime(["%Y-%m-%d"]), help="Pay terms in force on this date (YYYY-MM-DD).")
@with_appcontext
def parity(project_name: str, as_json: bool, on_date) -> None:
    """Compare pay for equal roles in a project, counting preparation and travel."""
    import json

    from remun.parity.report import project_parity
    from remun.parity.report_json import report_as_json

    project = _project_named(project_name)
    report = project_parity(_session(), project.id, _rates(), on_date.date() if on_date else None,
                            threshold=current_app.config.get("REMUN_PAY_GAP_THRESHOLD", 10))
    if as_json:
        click.echo(json.dumps(report_as_json(report), indent=2, ensure_ascii=False))
        return
    click.echo(_parity_table(report))


def _parity_table(report) -> str:
    from remun.money import round_money

    def money(value) -> str:
        return "-" if value is None else f"{round_money(value):,.2f}"

    lines = [f"Pay parity: {report.project_name}, terms in force on {report.on_date.isoformat()}",
             f"How pay is compared: {report.basis.sentence()}"]
    if report.living_wage is not None:
        lines.append(f"Real Living Wage that day: {money(report.living_wage)} an hour ({report.currency})")
        entry = report.living_wage_entry
        if entry is not None and entry.added_by_organisation:
            lines.append(f"  (added by your organisation on {entry.added_on.isoformat()}, from {entry.url})")
    if report.living_wage_window is not None:
        from remun.parity.report_json import living_wage_window_message

        lines.append(living_wage_window_message(report.living_wage_window))
    for card in report.stale_rates:
        lines.append(f"WARNING: {card.message()}")
    for group in report.groups:
        lines.append("")
        lines.append(f"{group.name}")
        lines.append(f"  {'Role':34} {'Hours':>6} {'Per session':>12} {'Per hour':>9} {'Gap %':>6}  Status")
        for role in group.roles:
            if role.is_comparator:
                status = "comparator"
            elif role.parity is True:
                status = "at parity"
            elif role.parity is False:
                status = "BELOW PARITY"
            else:
                status = "not compared"
            if role.below_living_wage:
                status += ", below Real Living Wage"
            gap = "-" if role.gap_percent is None else str(role.gap_percent)
            lines.append(
                f"  {role.offer.title[:34]:34} {role.hours_given:>6} {money(role.pay_per_session):>12} "
                f"{money(role.effective_hourly_rate):>9} {gap:>6}  {status}"
            )
        if group.comparator is None:
            lines.append("  No clinical or professional role to compare with.")
    if report.by_role:
        lines.append("")
        lines.append("From the ledger (approved claims; declined is the person's choice, never a gap)")
        lines.append(f"  {'Role':34} {'Offered/h':>9} {'Due':>10} {'Paid/given':>11} {'Per hour':>9} {'Gap %':>6} "
                     f"{'Declined':>10}")
        for role in report.by_role:
            gap_paid = "-" if role.parity.gap_percent is None else str(role.parity.gap_percent)
            lines.append(
                f"  {role.title[:34]:34} {money(role.offered_rate):>9} {money(role.due):>10} "
                f"{money(role.paid_or_given):>11} {money(role.parity.hourly_rate):>9} {gap_paid:>6} "
                f"{money(role.declined):>10}"
            )
    gap = report.pay_gap
    lines.append("")
    if gap is None or gap.withheld:
        lines.append(f"Pay gap: withheld (fewer than {gap.threshold if gap else 10} people on one side).")
    else:
        lines.append(f"Pay gap: mean {gap.mean_gap_percent}%, median {gap.median_gap_percent}%.")
    return "\n".join(lines)


def register(cli: click.Group) -> None:
    """Add `remun parity` to the command line (remun/cli/main.py calls this)."""
    cli.add_command(parity)
