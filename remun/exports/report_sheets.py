"""The Parity and Tax year sheets, and About: the filters, who made the workbook, control totals, stale rates."""

from __future__ import annotations

from remun.exports import headings as H
from remun.exports.safety import clean_text
from remun.money import HUNDRED, round_money
from remun.exports.book import (
    HEADING_STYLE,
    TITLE_STYLE,
    Book,
    Cell,
    ExportResult,
    Formula,
    Sheet,
    quote_sheetname,
    safe_currency,
)
from remun.exports.ledger_sheets import LEDGER_CREDIT, LEDGER_DEBIT


def _parity_reports(session, chosen, rate_book, filters):
    """Each chosen project's parity report, in ``chosen``'s order.

    Every project at once in a fixed number of queries when the export is of all of them
    (a report per project asks the database eight times: 2,400 queries for 300 projects).
    """
    from remun.parity.report import organisation_parity, project_parity

    if filters.project_ids is None:
        reports = {report.project_id: report
                   for report in organisation_parity(session, rate_book, filters.date_to).projects}
        for project_id, *_rest in chosen:
            yield reports.get(project_id) or project_parity(session, project_id, rate_book, filters.date_to)
    else:
        for project_id, *_rest in chosen:
            yield project_parity(session, project_id, rate_book, filters.date_to)


def write_parity(book: Book, sheet: Sheet, session, chosen, rate_book, filters) -> None:
    t, formats = book.t, book.formats
    row_number = 1
    if rate_book is None:
        sheet.append([t(H.PARITY_NO_RATES)])
        return
    # What the chart shows, kept as it is written: constant-memory mode cannot read the sheet back.
    titles: list[str] = []
    rates: list[float | None] = []
    comparator_rates: list[float | None] = []
    kinds = {kind: t(label) for kind, label in H.ROLE_KINDS.items()}
    bases = {basis: t(label) for basis, label in H.PAY_BASES.items()}
    yes, no = t(H.YES), t(H.NO)
    basis = None
    for (_project_id, name, _cost_centre, currency), report in zip(chosen, _parity_reports(session, chosen, rate_book,
                                                                                        filters)):
        currency = safe_currency(currency)
        money = formats.money(currency)
        basis = report.basis
        paid = {role.role_id: role for role in report.by_role}
        for group in report.groups:
            comparator_rate = group.comparator.rounded_hourly_rate if group.comparator else None
            for role in group.roles:
                row_number += 1
                if role.is_comparator:
                    status = t(H.PARITY_COMPARATOR)
                elif role.parity is True:
                    status = t(H.PARITY_AT)
                elif role.parity is False:
                    status = t(H.PARITY_BELOW)
                else:
                    status = t(H.PARITY_NOT_COMPARED)
                below = None if role.below_living_wage is None else (yes if role.below_living_wage else no)
                gap = None if role.gap_percent is None else book.value(role.gap_percent / HUNDRED, formats.percent)
                ledger = paid.get(role.offer.key)
                if ledger is None:
                    from_ledger = (None,) * 6
                else:
                    paid_gap = ledger.parity.gap_percent
                    from_ledger = (
                        book.value(round_money(ledger.due), money),
                        book.value(round_money(ledger.paid_or_given), money),
                        book.value(round_money(ledger.paid_hours), formats.hours),
                        None if ledger.parity.hourly_rate is None
                        else book.value(ledger.parity.rounded_hourly_rate, money),
                        None if paid_gap is None else book.value(paid_gap / HUNDRED, formats.percent),
                        book.value(round_money(ledger.declined), money),
                    )
                rate = role.rounded_hourly_rate
                sheet.append((
                    name, group.name, role.offer.title, kinds[role.offer.kind],
                    bases[role.offer.terms.basis], book.value(role.hours_given, formats.hours),
                    book.value(role.pay_per_session, money),
                    None if rate is None else book.value(rate, money),
                    None if comparator_rate is None else book.value(comparator_rate, money),
                    gap, status, below, currency, *from_ledger,
                ))
                titles.append(clean_text(role.offer.title))
                rates.append(None if rate is None else float(rate))
                comparator_rates.append(None if comparator_rate is None else float(comparator_rate))
    sheet.auto_filter(len(H.PARITY_COLUMNS), row_number)
    if row_number == 1:
        sheet.append([t(H.PARITY_NONE)])
        return
    # The comparator basis, in a sentence under the table (one for the organisation).
    sheet.append([])
    sheet.append([t(H.PARITY_BASIS), basis.sentence(t)])
    _parity_chart(book, sheet, row_number, titles, (rates, comparator_rates))


#: Centimetres to the pixels XlsxWriter sizes charts in (96 to the inch).
_PIXELS_A_CM = 96 / 2.54


def _parity_chart(book: Book, sheet: Sheet, last_row: int, titles: list[str], values) -> None:
    """A bar for each role's pay per hour and its comparator's, labelled with the roles' titles.

    The titles are given as the categories' text (a string reference), so every spreadsheet labels the
    bars with them; the series' figures are given too, as a reader that does not recalculate shows them.
    """
    t = book.t
    name = quote_sheetname(sheet.title)
    chart = book.wb.add_chart({"type": "bar"})
    for letter, heading, data in zip("HI", (H.PARITY_COLUMNS[7], H.PARITY_COLUMNS[8]), values):
        chart.add_series({
            "name": f"={name}!${letter}$1", "name_data": [t(heading)],
            "categories": f"={name}!$C$2:$C${last_row}", "categories_data": titles,
            "values": f"={name}!${letter}$2:${letter}${last_row}", "values_data": data,
        })
    chart.set_style(10)
    chart.set_title({"name": t(H.PARITY_CHART_TITLE)})
    chart.set_x_axis({"name": t(H.PARITY_CHART_AXIS)})
    chart.set_y_axis({"name": t(H.PARITY_COLUMNS[2])})
    chart.set_size({"width": round(18 * _PIXELS_A_CM),
                    "height": round(max(7.5, 0.6 * last_row + 3) * _PIXELS_A_CM)})
    sheet.ws.insert_chart(last_row + 4, 0, chart)


def write_tax_year(book: Book, sheet: Sheet, session, filters) -> None:
    """Each payee's totals for each tax year the export's dates touch, marking those above the threshold."""
    from decimal import Decimal

    from sqlalchemy import func, select

    from remun.ledger.models import LedgerTransaction, Posting
    from remun.organisation.settings import get_setting
    from remun.papers.tax_year import label, payees_tax_year, tax_year_of

    t, formats = book.t, book.formats
    threshold = Decimal(get_setting(session, "tax.payee_threshold"))
    money = formats.money("GBP")
    span = select(func.min(LedgerTransaction.posted_on), func.max(LedgerTransaction.posted_on)) \
        .join(Posting, Posting.transaction_id == LedgerTransaction.id).where(Posting.person_id.is_not(None))
    if filters.project_ids is not None:
        span = span.where(Posting.project_id.in_(filters.project_ids))
    if filters.date_from:
        span = span.where(LedgerTransaction.posted_on >= filters.date_from)
    if filters.date_to:
        span = span.where(LedgerTransaction.posted_on <= filters.date_to)
    first, last = session.execute(span).one()
    rows = 0
    if first is not None:
        project_ids = None if filters.project_ids is None else list(filters.project_ids)
        for year in range(tax_year_of(last), tax_year_of(first) - 1, -1):
            for totals in payees_tax_year(session, year, project_ids):
                rows += 1
                above = totals.income_total > threshold
                sheet.append((label(year), totals.name,
                              *(book.value(value, money) for value in (
                                  totals.paid, totals.vouchers, totals.training, totals.donations, totals.declined,
                                  totals.expenses_repaid, totals.income_total)),
                              t(H.YES) if above else t(H.NO)))
    sheet.auto_filter(len(H.TAX_YEAR_COLUMNS), rows + 1)
    sheet.append([])
    if not rows:
        sheet.append([t(H.TAX_YEAR_NONE)])
    sheet.append([book.fill(H.TAX_YEAR_NOTE, threshold=f"£{threshold:,.2f}")])


def ledger_checkpoint_text(session) -> str:
    """The ledger head now: its sequence number and hash, as `remun verify` records checkpoints."""
    from remun.ledger.models import LedgerHead

    head = session.get(LedgerHead, 1)
    return f"{head.sequence} {head.last_hash}" if head is not None else ""


def write_stale_rates(book: Book, sheet: Sheet, rate_book) -> None:
    """Rate cards overdue for a new figure, said plainly: the Parity sheet may compare with last year's figure."""
    from remun.pay import rate_review

    overdue = rate_review.overdue_cards(rate_review.today(), rate_book)
    sheet.append(())
    sheet.append((Cell(book.t(H.ABOUT_RATES), style=TITLE_STYLE),))
    if not overdue:
        sheet.append((Cell(book.t(H.ABOUT_RATES_CURRENT), style=HEADING_STYLE),))
    for card in overdue:
        sheet.append((Cell(card.source.name, style=HEADING_STYLE), card.message(book.t, book.context.locale)))


def write_about(book: Book, sheet: Sheet, ledger: Sheet, session, filters, chosen, result: ExportResult, ledger_last: int) -> None:
    t, formats, context = book.t, book.formats, book.context
    ledger_name = quote_sheetname(ledger.title)
    last = max(ledger_last, 2)
    append = sheet.append

    def line(label: str, value=None) -> int:
        return append((Cell(label, style=HEADING_STYLE), value))

    append((Cell(t(H.ABOUT_TITLE), style=TITLE_STYLE),))
    line(t(H.ABOUT_WHAT), t(H.ABOUT_WHAT_TEXT))
    if filters.project_ids is not None:
        projects = "; ".join(name for _id, name, _cc, _cur in chosen)
    else:
        projects = t(H.ABOUT_ALL_PROJECTS)
    line(t(H.ABOUT_PROJECTS), projects)
    line(t(H.ABOUT_FROM), book.value(filters.date_from, formats.date) if filters.date_from else t(H.ABOUT_NO_START))
    line(t(H.ABOUT_TO), book.value(filters.date_to, formats.date) if filters.date_to else t(H.ABOUT_NO_END))
    line(t(H.ABOUT_DATES_NOTE), t(H.ABOUT_DATES_TEXT))
    line(t(H.ABOUT_MADE_AT), book.value(context.made_at_utc, formats.date_time))
    line(t(H.ABOUT_MADE_BY), context.made_by)
    line(t(H.ABOUT_VERSION), f"Remun {context.app_version}")
    line(t(H.ABOUT_LOCALE), context.locale)
    append(())
    append((Cell(t(H.ABOUT_CONTROL), style=TITLE_STYLE),))
    line(t(H.ABOUT_POSTINGS), result.postings)
    line(t(H.ABOUT_SHEET_ROWS), book.value(Formula(f"=COUNTA({ledger_name}!$B$2:$B${last})"), formats.integer))
    for total in result.totals:
        currency = safe_currency(total.currency)
        line(book.fill(H.ABOUT_DEBITS, currency=currency), book.money(total.debits, currency))
        line(book.fill(H.ABOUT_CREDITS, currency=currency), book.money(total.credits, currency))
    # One currency: the sheet's sums in its format; several: plain numbers (they only check debits = credits).
    money = formats.money(safe_currency(result.totals[0].currency)) if len(result.totals) == 1 else formats.hours
    debits = line(t(H.ABOUT_SHEET_DEBITS),
                  book.value(Formula(f"=SUM({ledger_name}!${LEDGER_DEBIT}$2:${LEDGER_DEBIT}${last})"), money))
    credits = line(t(H.ABOUT_SHEET_CREDITS),
                   book.value(Formula(f"=SUM({ledger_name}!${LEDGER_CREDIT}$2:${LEDGER_CREDIT}${last})"), money))
    line(t(H.ABOUT_DIFFERENCE), book.value(Formula(f"=ROUND(B{debits}-B{credits},2)"), money))
    line(t(H.LEDGER_CHECKPOINT), ledger_checkpoint_text(session))
