"""The payment batch file finance uploads to pay people: a workbook or CSV, one row per payee and way of paying.

The same batch gives the same bytes every time, whoever exports it and
whenever: the file holds only the batch's own facts (its payees, amounts and
when it was created), the workbook's properties carry the batch's creation
time rather than the time of export, and the zip entries get a fixed
timestamp. (A change to a payee's name or reference, or another locale,
changes the file, as it should.) Each row says how the money reaches the person
(bank transfer, payment card, cheque) and, when it is paid to someone else on
their behalf, to whom.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity
from remun.exports import headings as H
from remun.exports import queries
from remun.exports.context import ExportContext
from remun.exports.csv_export import BOM, DELIMITERS
from remun.exports.safety import TextGuard, clean_text, csv_text, text_cell
from remun.exports.book import HEADING_STYLE, TITLE_STYLE, Names, quote_sheetname, safe_currency
from remun.ledger.models import PaymentBatch
from remun.project_records.models import Project
from remun.money import ZERO

#: The earliest time a zip entry can carry; every entry gets it.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Payee:
    reference: str | None
    name: str
    amount: Decimal
    claims: int
    #: How the money reaches them, and who to pay when it is someone else on their behalf.
    method: Reciprocity = Reciprocity.BANK_TRANSFER
    detail: str | None = None


@dataclass(frozen=True)
class BatchFacts:
    batch_id: int
    project: str
    currency: str
    created_at: dt.datetime  # naive UTC
    total: Decimal
    payees: tuple[Payee, ...]
    #: The ledger head when the file was made ("sequence hash"), for checking against checkpoints.
    ledger_checkpoint: str = ""

    @property
    def payment_reference(self) -> str:
        """What the payee sees on their bank statement: short, plain and the same in every language."""
        return f"REMUN-B{self.batch_id}"


def batch_facts(session: Session, batch_id: int) -> BatchFacts | None:
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        return None
    project = session.get(Project, batch.project_id)
    created = batch.created_at
    if created.tzinfo is not None:
        created = created.astimezone(dt.timezone.utc).replace(tzinfo=None)
    payees = tuple(
        Payee(reference, name, queries.as_decimal(amount), claims, Reciprocity(method), detail)
        for reference, name, amount, claims, _person_id, method, detail in queries.batch_payees(session, batch_id)
    )
    from remun.exports.finance_workbook import ledger_checkpoint_text

    return BatchFacts(batch.id, project.name, safe_currency(project.currency), created.replace(microsecond=0),
                      sum((payee.amount for payee in payees), ZERO), payees, ledger_checkpoint_text(session))


def normalise_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """The same zip with every entry's time fixed (and some entries replaced), so equal contents give equal bytes."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = replace.get(item.filename)
            target.writestr(zip_entry(item.filename), source.read(item.filename) if content is None else content,
                            compresslevel=6)
    return out.getvalue()


def zip_entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with the fixed time, so equal contents give equal bytes."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


class BatchBook(Names):
    """A write-only openpyxl workbook with the finance workbook's styles and page set-up.

    The batch file stays on openpyxl (the finance workbook moved to XlsxWriter): a batch is a few hundred
    rows, so a faster writer gains it nothing, and its same-bytes-every-time guarantee is tested as written.
    """

    def __init__(self, context: ExportContext):
        super().__init__(context)
        self.wb = Workbook(write_only=True)
        self.wb.calculation = CalcProperties(fullCalcOnLoad=True)
        heading = NamedStyle(name=HEADING_STYLE)
        heading.font = Font(bold=True)
        heading.fill = PatternFill("solid", fgColor="DDE3EA")
        heading.alignment = Alignment(wrap_text=True, vertical="top")
        heading.border = Border(bottom=Side(style="thin", color="505A5F"))
        title = NamedStyle(name=TITLE_STYLE)
        title.font = Font(bold=True, size=14)
        self.wb.add_named_style(heading)
        self.wb.add_named_style(title)

    def sheet(self, message: str, columns: tuple[str, ...] | None, widths: tuple[int, ...], *, freeze: bool = True):
        """A new sheet: A4 landscape, fitted to the page's width, heading row frozen and repeated on each page."""
        ws = self.wb.create_sheet(self.title(message))
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if columns:
            if freeze:
                ws.freeze_panes = "A2"
            ws.print_title_rows = "1:1"
            ws.append([text_cell(ws, self.t(text), HEADING_STYLE) for text in columns])
        return ws

    def cell(self, ws, value, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws)
        cell.number_format = number_format
        cell.value = value
        return cell

    def money_cell(self, ws, value, currency: str) -> WriteOnlyCell:
        return self.cell(ws, value, self.formats.money(currency))

    def set_properties(self, title: str, subject: str, description: str, keywords: str,
                       when: dt.datetime, who: str) -> None:
        props = self.wb.properties
        props.title = clean_text(title)
        props.subject = clean_text(subject)
        props.description = clean_text(description)
        props.keywords = clean_text(keywords)
        props.category = "Remun"
        props.creator = clean_text(who)
        props.lastModifiedBy = clean_text(who)
        props.created = when
        props.modified = when
        props.language = self.context.locale.replace("_", "-")
        props.identifier = None
        props.version = None


def batch_workbook(facts: BatchFacts, context: ExportContext) -> bytes:
    """The batch as a workbook: a Payments sheet (one row per payee) and an About sheet."""
    book = BatchBook(context)
    t = book.t
    payments = book.sheet(H.SHEET_BATCH, H.BATCH_COLUMNS, (18, 30, 13, 9, 16, 8, 18, 30))
    methods = {method: t(label) for method, label in H.MONEY_METHODS.items()}
    about = book.sheet(H.SHEET_ABOUT, None, (30, 40), freeze=False)
    guard = TextGuard(payments)
    row = 1
    for payee in facts.payees:
        row += 1
        payments.append((guard(1, payee.reference), guard(2, payee.name),
                         book.money_cell(payments, payee.amount, facts.currency),
                         facts.currency, facts.payment_reference, payee.claims,
                         methods.get(payee.method, payee.method.value), guard(8, payee.detail)))
    payments.auto_filter.ref = f"A1:{get_column_letter(len(H.BATCH_COLUMNS))}{max(row, 1)}"

    about_guard = TextGuard(about)

    def line(label: str, value) -> None:
        about.append((text_cell(about, label, HEADING_STYLE), about_guard(2, value)))

    about.append((text_cell(about, book.fill(H.BATCH_TITLE, batch=facts.batch_id), TITLE_STYLE),))
    line(t(H.BATCH_PROJECT), facts.project)
    line(t(H.BATCH_CREATED), book.cell(about, facts.created_at, book.formats.date_time))
    line(t(H.BATCH_PAYEES), len(facts.payees))
    line(t(H.BATCH_TOTAL), book.money_cell(about, facts.total, facts.currency))
    sheet = quote_sheetname(payments.title)
    line(t(H.BATCH_TOTAL_CHECK), book.money_cell(about, f"=SUM({sheet}!$C$2:$C${max(row, 2)})", facts.currency))
    if facts.ledger_checkpoint:
        line(t(H.LEDGER_CHECKPOINT), facts.ledger_checkpoint)

    book.set_properties(
        title=book.fill(H.BATCH_TITLE, batch=facts.batch_id), subject=t(H.PROPERTIES_BATCH_SUBJECT),
        description=f"{facts.project}: {facts.total} {facts.currency}, {len(facts.payees)}",
        keywords="Remun; payments", when=facts.created_at, who="Remun",
    )
    raw = io.BytesIO()
    book.wb.save(raw)  # openpyxl stamps "modified" with the time of saving: put the batch's time back
    book.wb.properties.modified = facts.created_at
    core = tostring(book.wb.properties.to_tree())
    return normalise_zip(raw.getvalue(), {ARC_CORE: core})


def batch_csv(facts: BatchFacts, context: ExportContext, *, delimiter: str = ",", bom: bool = True) -> bytes:
    """The batch as CSV: one row per payee; amounts with a decimal point, as payment systems expect."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"the delimiter must be one of {DELIMITERS}")
    t = context.gettext
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([csv_text(t(heading)) for heading in H.BATCH_COLUMNS])
    methods = {method: t(label) for method, label in H.MONEY_METHODS.items()}
    for payee in facts.payees:
        writer.writerow((csv_text(payee.reference or ""), csv_text(payee.name), f"{payee.amount:.2f}",
                         facts.currency, facts.payment_reference, payee.claims,
                         csv_text(methods.get(payee.method, payee.method.value)), csv_text(payee.detail or "")))
    return buffer.getvalue().encode("utf-8")


def batch_file_bytes(facts: BatchFacts, context: ExportContext, fmt: str = "xlsx", **options) -> bytes:
    """The batch file as ``xlsx`` or ``csv`` (``options``: the CSV's delimiter), the same bytes every time."""
    return batch_workbook(facts, context) if fmt == "xlsx" else batch_csv(facts, context, **options)


def write_batch_file(session: Session, batch_id: int, target: str | IO[bytes], context: ExportContext,
                     fmt: str = "xlsx", **options) -> BatchFacts | None:
    """Write the batch file (``xlsx`` or ``csv``); None when there is no such batch."""
    facts = batch_facts(session, batch_id)
    if facts is None:
        return None
    data = batch_file_bytes(facts, context, fmt, **options)
    if hasattr(target, "write"):
        target.write(data)
    else:
        with open(target, "wb") as stream:
            stream.write(data)
    return facts
