"""Accounting import files (issue 20): a payment batch, or what was given in kind, as bills to import.

Two formats, with the same facts:

- ``xero``: Xero's bill import CSV, in the columns of Xero's published bill
  template (docs/exports.md gives the source). One bill per payee per batch
  (its InvoiceNumber made from the batch and the person, so it is the same
  every time and Xero refuses it a second time), a line per kind of claim
  (time, expenses). Dates are DD/MM/YYYY. Xero takes at most 500 bills in a
  file, so more are split into numbered files.
- ``ledger-csv``: a plain purchase-ledger CSV for Sage and other systems that
  import a CSV with a column mapping: fixed English column names (so a mapping
  keeps working whatever language the person downloading uses), ISO dates.

The account code for each kind of cost, the tax type and the tracking
category (the project's cost centre) come from remun/organisation/accounting.py;
when one is needed and nobody gave it, AccountingSettingsMissing says which,
and no file is made. The same batch gives the same bytes every time: a fixed
order, no time of export. No bank details are held, so none are exported.
Text that a spreadsheet could run as a formula gets a leading ' (remun/exports/safety.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from remun.project_records.enums import Reciprocity
from remun.exports.batch_file import zip_entry
from remun.exports.context import ExportContext
from remun.exports.queries import as_decimal
from remun.exports.safety import csv_text
from remun.ledger.models import BatchItem, Claim, PaymentBatch
from remun.project_records.models import Person, Project
from remun.money import ZERO
from remun.organisation.accounting import KINDS, require_codes
from remun.reciprocity.models import SettlementPart
from remun.translation import N_

#: The formats, as ``--format`` and the pages name them.
FORMATS = ("xero", "ledger-csv")

#: Xero's bill import template's columns, in its order; a leading * marks those Xero requires
#: (Xero's template writes them so; Xero reads the name with or without it).
XERO_COLUMNS = ("*ContactName", "EmailAddress", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate",
                "*Description", "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TrackingName1",
                "TrackingOption1", "Currency")
#: The most bills Xero imports from one file.
XERO_MOST_BILLS = 500

#: The plain purchase-ledger CSV's columns: fixed names, for a mapping made once.
LEDGER_COLUMNS = ("batch_id", "source", "contact_name", "payee", "payee_reference", "invoice_number", "reference",
                  "invoice_date", "due_date", "description", "claim_kind", "claims", "amount", "account_code",
                  "tax_type", "tracking_category", "cost_centre", "currency", "project")

#: What each line says, by kind (translated into the language of the person downloading).
DESCRIPTIONS = {
    "time": N_("Time given, payment batch %(batch)s, %(project)s"),
    "expenses": N_("Expenses repaid, payment batch %(batch)s, %(project)s"),
    "vouchers": N_("Vouchers given, %(project)s"),
    "training": N_("Training given, %(project)s"),
    "donation": N_("Donation made, %(project)s"),
}
#: The same with what the person chose (the voucher shop, the training, the charity).
DESCRIPTIONS_WITH_DETAIL = {
    "vouchers": N_("Vouchers given (%(detail)s), %(project)s"),
    "training": N_("Training given (%(detail)s), %(project)s"),
    "donation": N_("Donation made (%(detail)s), %(project)s"),
}
IN_KIND = {Reciprocity.VOUCHERS: "vouchers", Reciprocity.TRAINING: "training", Reciprocity.DONATION: "donation"}
#: A letter per in-kind kind, for bill numbers.
IN_KIND_LETTER = {"vouchers": "V", "training": "T", "donation": "D"}


@dataclass(frozen=True)
class BillLine:
    """One line of a bill: one payee's claims of one kind."""

    invoice_number: str
    contact: str
    payee: str
    payee_reference: str
    date: dt.date
    kind: str
    claims: int
    amount: Decimal
    description: str


@dataclass(frozen=True)
class Bills:
    """The lines of one batch's (or one in-kind list's) bills, with the codes they go to."""

    project: Project
    reference: str
    batch_id: int | None
    lines: tuple[BillLine, ...]
    account_codes: dict[str, str]
    tax_type: str
    tracking_name: str
    tracking_option: str
    currency: str
    #: The start of the file's name: remun-batch-12, remun-in-kind-3.
    stem: str

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def bills(self) -> int:
        return len({line.invoice_number for line in self.lines})


@dataclass(frozen=True)
class AccountingFile:
    """A file to hand over: its name and bytes."""

    name: str
    data: bytes


def _fill(context: ExportContext, message: str, **values) -> str:
    try:
        return context.gettext(message) % values
    except (KeyError, ValueError, TypeError):  # a broken translation: the English
        return message % values


def _contact(name: str, reference: str | None) -> str:
    """Who the bill is from: the payee reference where one is set (it names the contact), else the name."""
    return (reference or "").strip() or name


def _utc_date(when: dt.datetime) -> dt.date:
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.date()


def _bills(session: Session, project: Project, kinds, **facts) -> Bills:
    codes = require_codes(session, project, kinds)
    return Bills(project=project, account_codes=codes.codes, tax_type=codes.tax_type,
                 tracking_name=codes.tracking_name, tracking_option=codes.tracking_option if codes.tracking_name else "",
                 currency=project.currency or "GBP", **facts)


def batch_bills(session: Session, batch_id: int, context: ExportContext) -> Bills | None:
    """A payment batch as bills: one per payee, a line per kind of claim. None when there is no such batch.

    Raises AccountingSettingsMissing when a code the batch needs was not given.
    """
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        return None
    project = session.get(Project, batch.project_id)
    rows = session.execute(
        select(Person.id, Person.name, Person.payee_reference, Claim.kind, func.count(BatchItem.id),
               func.sum(BatchItem.amount))
        .join(Person, BatchItem.person_id == Person.id).join(Claim, BatchItem.claim_id == Claim.id)
        .where(BatchItem.batch_id == batch.id)
        .group_by(Person.id, Person.name, Person.payee_reference, Claim.kind)
        .order_by(Person.name, Person.id)
    ).all()
    # Payees as the payment file orders them; each one's time before their expenses, on either database
    # (PostgreSQL orders an enum by its declaration, SQLite by its text).
    first_seen = {}
    for row in rows:
        first_seen.setdefault(row[0], len(first_seen))
    rows = sorted(rows, key=lambda row: (first_seen[row[0]], KINDS.index(row[3].value)))
    day = _utc_date(batch.created_at)
    lines = tuple(
        BillLine(f"REMUN-B{batch.id}-{person_id}", _contact(name, reference), name, reference or "", day,
                 str(kind.value), claims, as_decimal(amount),
                 _fill(context, DESCRIPTIONS[kind.value], batch=batch.id, project=project.name))
        for person_id, name, reference, kind, claims, amount in rows
    )
    return _bills(session, project, {line.kind for line in lines}, reference=f"REMUN-B{batch.id}", batch_id=batch.id,
                  lines=lines, stem=f"remun-batch-{batch.id}")


def in_kind_bills(session: Session, project: Project, context: ExportContext, *, date_from: dt.date | None = None,
                  date_to: dt.date | None = None) -> Bills:
    """What was given in kind (vouchers, training, donations), given from ``date_from`` to ``date_to``, as bills:
    one per person, kind and day given, a line for each thing they chose (the shop, the course, the charity).

    Raises AccountingSettingsMissing when a code the list needs was not given.
    """
    found: dict[tuple, dict] = defaultdict(lambda: {"claims": set(), "amount": ZERO})
    people: dict[int, tuple[str, str | None]] = {}
    for part, name, reference in session.execute(
        select(SettlementPart, Person.name, Person.payee_reference)
        .join(Person, SettlementPart.person_id == Person.id)
        .where(SettlementPart.project_id == project.id, SettlementPart.given_at.is_not(None),
               SettlementPart.method.in_(list(IN_KIND)))
    ):
        day = _utc_date(part.given_at)
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        people[part.person_id] = (name, reference)
        entry = found[(day, IN_KIND[part.method], part.person_id, part.detail or "")]
        entry["claims"].add(part.claim_id)
        entry["amount"] += part.amount
    lines = []
    for (day, kind, person_id, detail), entry in sorted(
            found.items(), key=lambda item: (item[0][0], item[0][1], people[item[0][2]][0], item[0][2], item[0][3])):
        name, reference = people[person_id]
        description = (_fill(context, DESCRIPTIONS_WITH_DETAIL[kind], detail=detail, project=project.name) if detail
                       else _fill(context, DESCRIPTIONS[kind], project=project.name))
        lines.append(BillLine(f"REMUN-P{project.id}-{IN_KIND_LETTER[kind]}{day:%Y%m%d}-{person_id}",
                              _contact(name, reference), name, reference or "", day, kind, len(entry["claims"]),
                              entry["amount"], description))
    span = f"-{date_from or 'start'}-{date_to or 'end'}" if date_from or date_to else ""
    return _bills(session, project, {line.kind for line in lines}, reference=f"REMUN-P{project.id}-IN-KIND",
                  batch_id=None, lines=tuple(lines), stem=f"remun-in-kind-{project.id}{span}")


def xero_parts(session: Session, batch_id: int) -> int:
    """How many Xero files the batch makes (a bill per payee, 500 bills a file), without making them."""
    payees = session.scalar(select(func.count(func.distinct(BatchItem.person_id))).where(BatchItem.batch_id == batch_id))
    return max(1, -(-(payees or 0) // XERO_MOST_BILLS))


def _writer(buffer: io.StringIO):
    return csv.writer(buffer, lineterminator="\r\n")


def xero_files(bills: Bills) -> list[AccountingFile]:
    """Xero bill import CSV: one file, or numbered files of at most 500 bills each."""
    chunks: list[list[BillLine]] = []
    seen: set[str] = set()
    for line in bills.lines:
        if line.invoice_number not in seen:
            if len(seen) % XERO_MOST_BILLS == 0:
                chunks.append([])
            seen.add(line.invoice_number)
        chunks[-1].append(line)
    files = []
    for number, chunk in enumerate(chunks or [[]], start=1):
        buffer = io.StringIO()
        writer = _writer(buffer)
        writer.writerow(XERO_COLUMNS)
        for line in chunk:
            day = f"{line.date:%d/%m/%Y}"
            writer.writerow((csv_text(line.contact), "", line.invoice_number, bills.reference, day, day,
                             csv_text(line.description), "1", f"{line.amount:.2f}",
                             csv_text(bills.account_codes[line.kind]), csv_text(bills.tax_type),
                             csv_text(bills.tracking_name), csv_text(bills.tracking_option), bills.currency))
        suffix = f"-{number}" if len(chunks) > 1 else ""
        files.append(AccountingFile(f"{bills.stem}-xero{suffix}.csv", buffer.getvalue().encode("utf-8")))
    return files


def ledger_csv_file(bills: Bills) -> AccountingFile:
    """The plain purchase-ledger CSV: every line, with every fact, for a mapped import."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow(LEDGER_COLUMNS)
    source = "payment_batch" if bills.batch_id is not None else "in_kind"
    for line in bills.lines:
        writer.writerow((bills.batch_id or "", source, csv_text(line.contact), csv_text(line.payee),
                         csv_text(line.payee_reference), line.invoice_number, bills.reference, line.date.isoformat(),
                         line.date.isoformat(), csv_text(line.description), line.kind, line.claims, f"{line.amount:.2f}",
                         csv_text(bills.account_codes[line.kind]), csv_text(bills.tax_type),
                         csv_text(bills.tracking_name), csv_text(bills.tracking_option), bills.currency,
                         csv_text(bills.project.name)))
    return AccountingFile(f"{bills.stem}-ledger.csv", buffer.getvalue().encode("utf-8"))


def accounting_files(bills: Bills, fmt: str) -> list[AccountingFile]:
    """The files of ``fmt`` (``xero`` or ``ledger-csv``) for these bills."""
    if fmt == "xero":
        return xero_files(bills)
    if fmt == "ledger-csv":
        return [ledger_csv_file(bills)]
    raise ValueError(f"the format must be one of {FORMATS}")


def zipped(files: list[AccountingFile], name: str) -> AccountingFile:
    """Several files in one zip, the same bytes every time (fixed entry times)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for file in files:
            target.writestr(zip_entry(file.name), file.data, compresslevel=6)
    return AccountingFile(name, out.getvalue())


class NoSuchPart(LookupError):
    """A numbered file the bills do not have: ``parts`` is how many they make."""

    def __init__(self, parts: int):
        super().__init__(parts)
        self.parts = parts


@dataclass(frozen=True)
class ChosenFile:
    """The one file to hand over for a download, and how many files the bills make."""

    file: AccountingFile
    is_zip: bool
    parts: int


def choose_file(bills: Bills, fmt: str, part: int | None = None) -> ChosenFile:
    """What one download of ``fmt`` hands over: without ``part``, the file, or a zip of the numbered files
    when Xero's 500 bills a file split them; with ``part`` N, the Nth file alone (part 1 of a file that is
    not split is the file itself).

    Raises NoSuchPart for any other N, the whole file included: a person or a script asking for file 2
    of a file that has only one must not be handed file 1 again, to import a second time.
    """
    files = accounting_files(bills, fmt)
    if part is not None and not 1 <= part <= len(files):
        raise NoSuchPart(len(files))
    if part is not None or len(files) == 1:
        return ChosenFile(files[(part or 1) - 1], False, len(files))
    return ChosenFile(zipped(files, f"{bills.stem}-{fmt}.zip"), True, len(files))
