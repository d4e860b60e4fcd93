"""The sheets of what is owed and given: payments due, vouchers, training, donations, and expenses."""

from __future__ import annotations

from remun.project_records.enums import Reciprocity
from remun.exports import headings as H
from remun.exports import queries
from remun.ledger.models import Account
from remun.money import ZERO
from remun.exports.book import Book, Sheet, currency_totals, safe_currency


IN_KIND_SHEETS = (
    (H.SHEET_VOUCHERS, Account.VOUCHERS, Reciprocity.VOUCHERS),
    (H.SHEET_TRAINING, Account.TRAINING, Reciprocity.TRAINING),
    (H.SHEET_DONATIONS, Account.DONATIONS, Reciprocity.DONATION),
)


def write_payments_due(book: Book, sheet: Sheet, session, filters, waiting: list[queries.WaitingPart]) -> None:
    t = book.t
    methods = {method: t(label) for method, label in H.MONEY_METHODS.items()}
    row_number, currencies = 1, []
    for due in queries.payments_due(session, filters, waiting):
        row_number += 1
        currency = safe_currency(due.currency)
        if currency not in currencies:
            currencies.append(currency)
        batch = None
        if due.first_batch is not None:
            batch = str(due.first_batch) if due.first_batch == due.last_batch else f"{due.first_batch}–{due.last_batch}"
        since_date = queries.to_date(due.since)
        sheet.append((due.project, due.cost_centre, due.payee, due.reference, due.claims,
                      book.money(due.amount, currency), currency, batch,
                      book.value(since_date, book.formats.date) if since_date else None,
                      methods.get(due.method, due.method.value), due.detail))
    sheet.auto_filter(len(H.PAYMENTS_DUE_COLUMNS), row_number)
    if row_number > 1:
        currency_totals(book, sheet, 2, row_number, "G", [6], len(H.PAYMENTS_DUE_COLUMNS), 3, currencies,
                         count_columns=(5,))


def write_in_kind(book: Book, sheet: Sheet, session, filters, account: Account, choice: Reciprocity,
                   waiting_parts: list[queries.WaitingPart]) -> None:
    given = queries.account_totals(session, filters, (account,))
    waiting = queries.waiting_in_kind(session, filters, choice, waiting_parts)
    keys = {(project_id, person_id) for project_id, person_id, _a in given} | set(waiting)
    projects = {project_id: (name, cost_centre, safe_currency(currency))
                for project_id, name, cost_centre, currency in queries.projects(session, filters)}
    people = queries.people(session, (person_id for _p, person_id in keys))
    rows = sorted(
        ((projects[project_id], people.get(person_id, ("", None)), project_id, person_id)
         for project_id, person_id in keys if project_id in projects),
        key=lambda item: (item[0][0], item[2], item[1][0], item[3]),
    )
    nothing = queries.ToGive(0, ZERO, ())
    row_number, currencies = 1, []
    for (project, cost_centre, currency), (name, reference), project_id, person_id in rows:
        row_number += 1
        if currency not in currencies:
            currencies.append(currency)
        still = waiting.get((project_id, person_id), nothing)
        sheet.append((project, cost_centre, name, reference,
                      book.money(given.get((project_id, person_id, account), ZERO), currency),
                      book.money(still.amount, currency), still.claims, currency,
                      "; ".join(still.details) or None))
    sheet.auto_filter(len(H.IN_KIND_COLUMNS), row_number)
    if row_number > 1:
        currency_totals(book, sheet, 2, row_number, "H", [5, 6], len(H.IN_KIND_COLUMNS), 3, currencies,
                         count_columns=(7,))


def write_expenses(book: Book, sheet: Sheet, session, filters, chunk: int) -> None:
    t = book.t
    categories = {category: t(label) for category, label in H.EXPENSE_CATEGORIES.items()}
    yes, no = t(H.YES), t(H.NO)
    date = book.formats.date
    vehicles = {vehicle: t(label) for vehicle, label in H.VEHICLES.items()}
    row_number, currencies = 1, []
    for rows in queries.expense_rows(session, filters, chunk):
        for (day, project, cost_centre, title, person, reference, category, note, amount, currency, claim_id,
             posted_on, settled_at, miles, vehicle) in rows:
            row_number += 1
            currency = safe_currency(currency)
            if currency not in currencies:
                currencies.append(currency)
            sheet.append((book.value(day, date), project, cost_centre, title, person, reference,
                          categories.get(category), note, book.money(amount, currency), currency, claim_id,
                          book.value(posted_on, date), yes if settled_at is not None else no,
                          miles, vehicles.get(vehicle), _rate_a_mile(amount, miles)))
    sheet.auto_filter(len(H.EXPENSES_COLUMNS), row_number)
    if row_number > 1:
        currency_totals(book, sheet, 2, row_number, "J", [9], len(H.EXPENSES_COLUMNS), 2, currencies)


def _rate_a_mile(amount, miles):
    """The rate a mile paid (the average, when a journey crossed the 10,000-mile step), to the tenth of a penny."""
    if not miles:
        return None
    from decimal import Decimal

    return (Decimal(amount) / Decimal(miles)).quantize(Decimal("0.001"))
