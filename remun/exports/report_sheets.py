"""The Parity and Tax year sheets, and About: the filters, who made the workbook, control totals, stale rates."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import quote_sheetname

from remun.exports import headings as H
from remun.exports.safety import TextGuard, text_cell
from remun.money import HUNDRED, round_money
from remun.exports.book import HEADING_STYLE, TITLE_STYLE, Book, ExportResult, auto_filter, safe_currency
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


def write_parity(book: Book, ws, session, chosen, rate_book, filters) -> None:
    t, formats = book.t, book.formats
    guard = TextGuard(ws)
    row_number = 1
    if rate_book is None:
        ws.append([t(H.PARITY_NO_RATES)])
        return
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
                gap = None if role.gap_percent is None else book.value(ws, role.gap_percent / HUNDRED, formats.percent)
                ledger = paid.get(role.offer.key)
                if ledger is None:
                    from_ledger = (None,) * 6
                else:
                    paid_gap = ledger.parity.gap_percent
                    from_ledger = (
                        book.value(ws, round_money(ledger.due), money),
                        book.value(ws, round_money(ledger.paid_or_given), money),
                        book.value(ws, round_money(ledger.paid_hours), formats.hours),
                        None if ledger.parity.hourly_rate is None
                        else book.value(ws, ledger.parity.rounded_hourly_rate, money),
                        None if paid_gap is None else book.value(ws, paid_gap / HUNDRED, formats.percent),
                        book.value(ws, round_money(ledger.declined), money),
                    )
                ws.append((
                    guard(1, name), guard(2, group.name), guard(3, role.offer.title), kinds[role.offer.kind],
                    bases[role.offer.terms.basis], book.value(ws, role.hours_given, formats.hours),
                    book.value(ws, role.pay_per_session, money),
                    None if role.rounded_hourly_rate is None else book.value(ws, role.rounded_hourly_rate, money),
                    None if comparator_rate is None else book.value(ws, comparator_rate, money),
                    gap, status, below, currency, *from_ledger,
                ))
    auto_filter(ws, len(H.PARITY_COLUMNS), row_number)
    if row_number == 1:
        ws.append([t(H.PARITY_NONE)])
        return
    # The comparator basis, in a sentence under the table (one for the organisation).
    ws.append([])
    ws.append([t(H.PARITY_BASIS), basis.sentence(t)])
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = t(H.PARITY_CHART_TITLE)
    chart.y_axis.title = t(H.PARITY_CHART_AXIS)
    chart.x_axis.title = t(H.PARITY_COLUMNS[2])
    chart.add_data(Reference(ws, min_col=8, max_col=9, min_row=1, max_row=row_number), titles_from_data=True)
    # Role titles are text: a string reference, so every spreadsheet labels the bars with them.
    roles = f"{quote_sheetname(ws.title)}!$C$2:$C${row_number}"
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=roles))
    chart.height = max(7.5, 0.6 * row_number + 3)
    chart.width = 18
    ws.add_chart(chart, f"A{row_number + 5}")


def write_tax_year(book: Book, ws, session, filters) -> None:
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
        guard = TextGuard(ws)
        project_ids = None if filters.project_ids is None else list(filters.project_ids)
        for year in range(tax_year_of(last), tax_year_of(first) - 1, -1):
            for totals in payees_tax_year(session, year, project_ids):
                rows += 1
                above = totals.income_total > threshold
                ws.append((label(year), guard(2, totals.name),
                           *(book.value(ws, value, money) for value in (
                               totals.paid, totals.vouchers, totals.training, totals.donations, totals.declined,
                               totals.expenses_repaid, totals.income_total)),
                           t(H.YES) if above else t(H.NO)))
    auto_filter(ws, len(H.TAX_YEAR_COLUMNS), rows + 1)
    ws.append([])
    if not rows:
        ws.append([t(H.TAX_YEAR_NONE)])
    ws.append([book.fill(H.TAX_YEAR_NOTE, threshold=f"£{threshold:,.2f}")])


def ledger_checkpoint_text(session) -> str:
    """The ledger head now: its sequence number and hash, as `remun verify` records checkpoints."""
    from remun.ledger.models import LedgerHead

    head = session.get(LedgerHead, 1)
    return f"{head.sequence} {head.last_hash}" if head is not None else ""


def write_stale_rates(book: Book, ws, rate_book) -> None:
    """Rate cards overdue for a new figure, said plainly: the Parity sheet may compare with last year's figure."""
    from remun.pay import rate_review

    overdue = rate_review.overdue_cards(rate_review.today(), rate_book)
    ws.append(())
    ws.append((text_cell(ws, book.t(H.ABOUT_RATES), TITLE_STYLE),))
    guard = TextGuard(ws)
    if not overdue:
        ws.append((text_cell(ws, book.t(H.ABOUT_RATES_CURRENT), HEADING_STYLE),))
    for card in overdue:
        ws.append((text_cell(ws, card.source.name, HEADING_STYLE),
                   guard(2, card.message(book.t, book.context.locale))))


def write_about(book: Book, ws, ledger, session, filters, chosen, result: ExportResult, ledger_last: int) -> None:
    t, formats, context = book.t, book.formats, book.context
    sheet = quote_sheetname(ledger.title)
    last = max(ledger_last, 2)
    guard = TextGuard(ws)
    rows = 0

    def append(cells) -> int:
        nonlocal rows
        ws.append(cells)
        rows += 1
        return rows

    def line(label: str, value=None) -> int:
        return append((text_cell(ws, label, HEADING_STYLE), guard(2, value) if isinstance(value, str) else value))

    append((text_cell(ws, t(H.ABOUT_TITLE), TITLE_STYLE),))
    line(t(H.ABOUT_WHAT), t(H.ABOUT_WHAT_TEXT))
    if filters.project_ids is not None:
        projects = "; ".join(name for _id, name, _cc, _cur in chosen)
    else:
        projects = t(H.ABOUT_ALL_PROJECTS)
    line(t(H.ABOUT_PROJECTS), projects)
    line(t(H.ABOUT_FROM), book.value(ws, filters.date_from, formats.date) if filters.date_from else t(H.ABOUT_NO_START))
    line(t(H.ABOUT_TO), book.value(ws, filters.date_to, formats.date) if filters.date_to else t(H.ABOUT_NO_END))
    line(t(H.ABOUT_DATES_NOTE), t(H.ABOUT_DATES_TEXT))
    line(t(H.ABOUT_MADE_AT), book.value(ws, context.made_at_utc, formats.date_time))
    line(t(H.ABOUT_MADE_BY), context.made_by)
    line(t(H.ABOUT_VERSION), f"Remun {context.app_version}")
    line(t(H.ABOUT_LOCALE), context.locale)
    append(())
    append((text_cell(ws, t(H.ABOUT_CONTROL), TITLE_STYLE),))
    line(t(H.ABOUT_POSTINGS), result.postings)
    line(t(H.ABOUT_SHEET_ROWS), book.value(ws, f"=COUNTA({sheet}!$B$2:$B${last})", formats.integer))
    for total in result.totals:
        currency = safe_currency(total.currency)
        line(book.fill(H.ABOUT_DEBITS, currency=currency), book.money(ws, total.debits, currency))
        line(book.fill(H.ABOUT_CREDITS, currency=currency), book.money(ws, total.credits, currency))
    # One currency: the sheet's sums in its format; several: plain numbers (they only check debits = credits).
    money = formats.money(safe_currency(result.totals[0].currency)) if len(result.totals) == 1 else formats.hours
    debits = line(t(H.ABOUT_SHEET_DEBITS),
                  book.value(ws, f"=SUM({sheet}!${LEDGER_DEBIT}$2:${LEDGER_DEBIT}${last})", money))
    credits = line(t(H.ABOUT_SHEET_CREDITS),
                   book.value(ws, f"=SUM({sheet}!${LEDGER_CREDIT}$2:${LEDGER_CREDIT}${last})", money))
    line(t(H.ABOUT_DIFFERENCE), book.value(ws, f"=ROUND(B{debits}-B{credits},2)", money))
    line(t(H.LEDGER_CHECKPOINT), ledger_checkpoint_text(session))
