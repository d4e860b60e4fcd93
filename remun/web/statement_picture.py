"""A person's money as a simple picture: one bar for each place their money is, with the amount beside it."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from remun.ledger.balances import PersonBalance
from remun.web.charts import BarChart, bar_chart


def money_picture(balance: PersonBalance, waiting_for_check: Decimal | None = None) -> BarChart:
    items = []
    if waiting_for_check is not None:
        items.append((_("Waiting to be checked"), waiting_for_check, False))
    items += [
        (_("Owed to you now"), balance.owed, False),
        (_("Paid to you"), balance.paid, False),
        (_("Given in other ways"), balance.in_kind, False),
        (_("You chose not to be paid"), balance.declined, False),
    ]
    return bar_chart(items)
