"""Finance exports: the workbook read back with openpyxl and python-calamine, its totals against the
ledger's balances, CSV, payment batch files, the web downloads, the command line, and a LibreOffice
round trip that recalculates the Summary's formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from remun.project_records.enums import Reciprocity
from remun.exports import ExportContext, ExportFilters, ExportTooLarge
from remun.exports import ledger_sheets
from remun.exports import finance_workbook as workbook_module
from remun.exports.batch_file import write_batch_file
from remun.exports.csv_export import write_ledger_csv
from remun.exports.formats import date_format, money_format
from remun.exports.finance_workbook import write_finance_workbook
from remun.ledger import balances, claims, settlement
from remun.ledger.models import Account, PaymentBatch
from remun.project_records.models import Person
from tests.helpers.browser import ADMIN_EMAIL, WIDTHS, _check, signed_in_page
from tests.helpers.ledger import approve_all, build_project
from tests.helpers.exports import INJECTION, libreoffice_csv, settled_project, soffice, workbook_through_its_job  # noqa: F401  (fixtures too)

MADE_AT = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.timezone.utc)
GBP = '"£"#,##0.00;"-£"#,##0.00'
DATA_SHEETS = ["Summary", "Ledger", "Payments due", "Vouchers", "Training", "Donations", "Expenses", "Parity", "Tax year"]
SHEETS = DATA_SHEETS + ["About"]


def context(**overrides) -> ExportContext:
    return ExportContext(**{"made_by": "finance@example.org", "made_at": MADE_AT, **overrides})


def pennies(value) -> int:
    """Money read back (a Decimal, an int, or calamine's float) as whole pennies."""
    if value in (None, ""):
        return 0
    return int((Decimal(str(value)) * 100).quantize(Decimal("1")))


def ledger_totals(rows) -> dict[str, int]:
    """Debits less credits per account code, in pennies, from Ledger rows (any reader)."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row[17]] += pennies(row[11]) - pennies(row[12])
    return totals


def expected_from_balances(session, project_id: int) -> dict[str, int]:
    found = balances.project_balances(session, project_id)
    people = found.people
    return {
        "time": pennies(found.cost_time), "expenses": pennies(found.cost_expenses),
        "cost": pennies(found.project_cost), "bank": sum(pennies(p.paid) for p in people),
        "in_kind": sum(pennies(p.in_kind) for p in people), "declined": sum(pennies(p.declined) for p in people),
        "owed": sum(pennies(p.owed) for p in people),
    }


def from_ledger(totals: dict[str, int]) -> dict[str, int]:
    return {
        "time": totals["project_cost_time"], "expenses": totals["project_cost_expenses"],
        "cost": totals["project_cost_time"] + totals["project_cost_expenses"], "bank": -totals["bank"],
        "in_kind": -(totals["vouchers"] + totals["training"] + totals["donations"]),
        "declined": totals["declined"], "owed": -totals["owed"],
    }


@pytest.fixture
def exported(session, rate_book, tmp_path):
    project, batch = settled_project(session, rate_book)
    path = tmp_path / "finance.xlsx"
    result = write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)), context(),
                                    rate_book=rate_book)
    return project, path, result


# --- The workbook, read back --------------------------------------------------------------------

def test_every_sheet_is_there_in_order_with_frozen_filtered_headings_on_a4_landscape(exported):
    _project, path, result = exported
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS == result.sheets
    for name in DATA_SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet.print_title_rows == "$1:$1", name
        assert sheet["A1"].font.b, name
    for sheet in book.worksheets:
        setup = sheet.page_setup
        # One page wide (1 is the default, which XlsxWriter leaves out), as many pages tall as it takes.
        assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth or 1), int(setup.fitToHeight)) == (
            "landscape", 9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.column_dimensions["A"].width >= 11
    ledger = book["Ledger"]
    assert ledger.auto_filter.ref == f"A1:R{result.postings + 1}"
    assert [cell.value for cell in ledger[1]][:15] == [
        "Date", "Transaction", "Project", "Cost centre", "Account", "Person", "Payee reference", "Role", "Kind",
        "Description", "Hours", "Debit", "Credit", "Status", "Batch"]


def test_workbook_properties_say_what_it_is_who_made_it_and_when(exported):
    _project, path, _result = exported
    props = openpyxl.load_workbook(path).properties
    assert props.title == "Remun finance workbook"
    assert "payments due" in props.subject
    assert props.creator == "finance@example.org" == props.lastModifiedBy
    assert props.created == dt.datetime(2026, 5, 4, 9, 30)
    assert props.keywords and "Remun" in props.keywords
    assert "Ledger test 7" in props.description


def test_ledger_cells_are_typed_and_formatted_and_totals_equal_the_balances(exported, session):
    project, path, result = exported
    ledger = openpyxl.load_workbook(path)["Ledger"]
    rows = list(ledger.iter_rows(min_row=2))
    assert len(rows) == result.postings > 0
    for row in rows:
        date, transaction, debit, credit, hours = row[0], row[1], row[11], row[12], row[10]
        assert isinstance(date.value, dt.datetime) and date.is_date and date.number_format == "dd/mm/yyyy"
        assert isinstance(transaction.value, int)
        money = debit if debit.value is not None else credit
        assert (debit.value is None) != (credit.value is None)
        assert isinstance(money.value, (int, float)) and money.data_type == "n" and money.value > 0
        assert money.number_format == GBP
        if hours.value is not None:
            assert hours.data_type == "n" and hours.number_format == "#,##0.00"
    values = [[cell.value for cell in row] for row in rows]
    assert from_ledger(ledger_totals(values)) == expected_from_balances(session, project.id)
    statuses = {row[13] for row in values}
    assert {"Approved", "Settled", "Declined", "Reversal", "Reversed"} <= statuses
    # A reversal carries its hours back out, as a negative number.
    assert any(row[10] is not None and row[10] < 0 for row in values)


MONEY_HEADINGS = {"Debit", "Credit", "Time", "Expenses", "Project cost", "Paid as money", "Vouchers", "Training",
                  "Donations", "Declined", "Still owed", "Amount", "Given in the period", "Still to give",
                  "Pay per session", "Pay per hour", "Comparator pay per hour"}
DATE_HEADINGS = {"Date", "Session date", "Approved on", "Approved since"}


@pytest.mark.parametrize("pay", [True, False])
def test_every_money_cell_is_a_number_in_the_currency_format_and_every_date_a_date(session, rate_book, tmp_path, pay):
    project, _batch = settled_project(session, rate_book, pay=pay)
    path = tmp_path / "types.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)), context(), rate_book=rate_book)
    book = openpyxl.load_workbook(path)
    checked = defaultdict(int)
    for name in DATA_SHEETS:
        sheet = book[name]
        headings = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for heading, cell in zip(headings, row):
                if cell.value is None or (isinstance(cell.value, str) and not cell.value.startswith("=")):
                    continue
                if heading in MONEY_HEADINGS:
                    assert cell.number_format == GBP, (name, heading, cell.coordinate)
                    assert cell.data_type in ("n", "f"), (name, heading, cell.coordinate)
                    checked["money"] += 1
                elif heading in DATE_HEADINGS:
                    assert cell.is_date and isinstance(cell.value, dt.datetime), (name, heading, cell.coordinate)
                    checked["dates"] += 1
    assert checked["money"] > 40 and checked["dates"] > 20


def test_a_second_reader_calamine_reads_the_same_sheets_and_totals(exported, session):
    project, path, result = exported
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == SHEETS
    rows = book.get_sheet_by_name("Ledger").to_python()[1:]
    assert len(rows) == result.postings
    assert all(isinstance(row[0], dt.date) for row in rows)
    assert all(isinstance(row[11] or row[12], float) for row in rows)
    assert from_ledger(ledger_totals(rows)) == expected_from_balances(session, project.id)
    for name in SHEETS:
        assert book.get_sheet_by_name(name).to_python(), name
    expenses = book.get_sheet_by_name("Expenses").to_python()
    body = [row for row in expenses[1:] if isinstance(row[0], dt.date)]
    assert sum(pennies(row[8]) for row in body) == pennies(balances.project_balances(session, project.id).cost_expenses)


def test_summary_totals_are_formulas_over_the_ledger_sheet(exported):
    _project, path, result = exported
    summary = openpyxl.load_workbook(path)["Summary"]
    assert [cell.value for cell in summary[1]] == [
        "Project", "Cost centre", "Currency", "Time", "Expenses", "Project cost", "Paid as money", "Vouchers",
        "Training", "Donations", "Declined", "Still owed", "Postings"]
    row = summary[2]
    assert [row[0].value, row[1].value, row[2].value] == ["Ledger test 7", "CC-9", "GBP"]
    last = result.postings + 1
    assert row[3].value == (
        f"=SUMIFS('Ledger'!$L$2:$L${last},'Ledger'!$Q$2:$Q${last},{summary_project_id(summary)},"
        f"'Ledger'!$R$2:$R${last},\"project_cost_time\")-SUMIFS('Ledger'!$M$2:$M${last},'Ledger'!$Q$2:$Q${last},"
        f"{summary_project_id(summary)},'Ledger'!$R$2:$R${last},\"project_cost_time\")")
    assert row[5].value == "=D2+E2"
    for cell in row[3:12]:
        assert cell.data_type == "f" and cell.number_format == GBP
    assert row[12].value.startswith("=COUNTIFS('Ledger'!$Q$2")
    total = summary[4]
    assert total[0].value == "Total in GBP"
    assert total[3].value == '=SUMIFS(D$2:D$2,$C$2:$C$2,"GBP")'


def summary_project_id(summary) -> int:
    return int(re.search(r"\$Q\$\d+,(\d+),", summary["D2"].value).group(1))


def test_in_kind_and_payments_due_sheets(session, rate_book, tmp_path):
    project, batch = settled_project(session, rate_book, pay=False)
    path = tmp_path / "due.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)), context(), rate_book=rate_book)
    book = openpyxl.load_workbook(path)
    due = [[cell.value for cell in row] for row in book["Payments due"].iter_rows(min_row=2) if row[4].value]
    by_payee = {row[2]: row for row in due if row[0] == "Ledger test 7"}
    # Ann is paid for time and expenses; everyone else's expenses are always money.
    assert by_payee["Ann"][3:6] == ["-12345", 2, 86.4]
    assert by_payee["Ann"][7] == str(batch.id)  # waiting in the open batch
    assert by_payee["Gus"][5] == 6.4 and set(by_payee) >= {"Ann", "Cat", "Dee", "Eve", "Fay", "Gus", INJECTION}
    total_row = next(row for row in book["Payments due"].iter_rows() if row[2].value == "Total in GBP")
    assert total_row[5].value.startswith("=SUMIFS(F$2:F$")
    vouchers = [[cell.value for cell in row] for row in book["Vouchers"].iter_rows(min_row=2, max_row=2)]
    assert vouchers[0][2:7] == [INJECTION, None, 0, 80, 1]  # not given yet: still to give


def test_parity_sheet_has_a_native_bar_chart(exported):
    _project, path, _result = exported
    with zipfile.ZipFile(path) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = archive.read(charts[0]).decode()
    assert "<c:barChart>" in xml or "<barChart>" in xml.replace("c:", "")
    xml = xml.replace("c:", "")
    assert "<cat><strRef><f>'Parity'!$C$2:$C$3</f>" in xml  # the bars are labelled with the roles
    assert "<pt idx=\"0\"><v>Panel member</v></pt>" in xml  # (their titles kept for readers that do not look)
    assert "<val><numRef><f>'Parity'!$H$2:$H$3</f>" in xml  # pay per hour
    assert "<val><numRef><f>'Parity'!$I$2:$I$3</f>" in xml  # the comparator's
    parity = openpyxl.load_workbook(path)["Parity"]
    assert len(parity._charts) == 1
    rows = {row[2].value: row for row in parity.iter_rows(min_row=2) if row[2].value}
    assert rows["Panel member"][10].value == "Below parity"
    assert rows["Clinician"][10].value == "Comparator"
    assert rows["Panel member"][7].value == 20 and rows["Panel member"][7].number_format == GBP
    assert rows["Panel member"][9].number_format == "0.0%" and round(rows["Panel member"][9].value, 3) == 0.333


def test_about_sheet_holds_filters_who_when_version_and_control_totals(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "about.xlsx"
    filters = ExportFilters(project_ids=(project.id,), date_from=dt.date(2020, 1, 1), date_to=dt.date(2099, 12, 31))
    result = write_finance_workbook(session, path, filters, context(), rate_book=rate_book)
    about = {row[0].value: row[1] for row in openpyxl.load_workbook(path)["About"].iter_rows() if row[0].value}
    assert about["Projects"].value == "Ledger test 7"
    assert about["From"].value == dt.datetime(2020, 1, 1) and about["From"].is_date
    assert about["To"].value == dt.datetime(2099, 12, 31)
    assert about["Made at (UTC)"].value == dt.datetime(2026, 5, 4, 9, 30)
    assert about["Made by"].value == "finance@example.org"
    assert about["App version"].value == "Remun 0.1.0"
    assert about["Postings"].value == result.postings
    (total,) = result.totals
    assert total.debits == total.credits > 0
    assert Decimal(str(about["Debits in GBP (from the database)"].value)) == total.debits
    assert about["Debits in GBP (from the database)"].number_format == GBP
    assert about["Debits in the Ledger sheet"].value.startswith("=SUM('Ledger'!$L$2:$L$")
    assert about["Debits less credits (should be 0)"].value.startswith("=ROUND(B")


def test_the_date_range_picks_postings_by_the_day_they_count_in(session, rate_book, tmp_path):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    waiting = claims.claims_waiting(session, project.id)
    ann = session.scalar(select(Person.id).where(Person.name == "Ann"))
    claims.approve(session, [c.id for c in waiting if c.person_id == ann], None, posted_on=dt.date(2026, 1, 15))
    claims.approve(session, [c.id for c in waiting if c.person_id != ann], None, posted_on=dt.date(2026, 2, 15))
    path = tmp_path / "february.xlsx"
    filters = ExportFilters(project_ids=(project.id,), date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    result = write_finance_workbook(session, path, filters, context(), rate_book=rate_book)
    rows = [[cell.value for cell in row] for row in openpyxl.load_workbook(path)["Ledger"].iter_rows(min_row=2)]
    assert result.postings == len(rows) == 4
    assert {row[5] for row in rows} == {"Bea"} and {row[0] for row in rows} == {dt.datetime(2026, 2, 15)}


def test_postings_are_read_in_chunks_with_progress(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    calls = []
    result = write_finance_workbook(session, tmp_path / "chunks.xlsx", ExportFilters(project_ids=(project.id,)),
                                    context(), rate_book=rate_book, chunk=7,
                                    progress=lambda done, total: calls.append((done, total)))
    total = result.postings
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert len(calls) == 1 + -(-total // 7)


def test_more_postings_than_a_sheet_holds_is_refused_plainly(session, rate_book, tmp_path, monkeypatch):
    project, _batch = settled_project(session, rate_book)
    monkeypatch.setattr(workbook_module, "MAX_SHEET_ROWS", 3)
    with pytest.raises(ExportTooLarge):
        write_finance_workbook(session, tmp_path / "big.xlsx", ExportFilters(project_ids=(project.id,)), context())


def shout(text: str) -> str:
    """A pretend translation: capitals, placeholders kept."""
    return re.sub(r"(%\(\w+\)s)|([^%]+)", lambda match: match.group(1) or match.group(2).upper(), text)


def test_headings_go_through_gettext(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "shouting.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)),
                           context(gettext=shout), rate_book=rate_book)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["SUMMARY", "LEDGER"]
    assert book["LEDGER"]["E2"].value == "PROJECT COST: TIME"
    assert book["SUMMARY"]["D2"].value.startswith("=SUMIFS('LEDGER'!")
    assert book["SUMMARY"]["A4"].value == "TOTAL IN GBP"


def test_number_formats_follow_the_locale_through_babel():
    assert money_format("GBP", "en_GB") == GBP
    assert money_format("EUR", "de_DE") == '#,##0.00"\xa0€";"-"#,##0.00"\xa0€"'
    assert money_format("JPY", "en_GB") == '"JP¥"#,##0;"-JP¥"#,##0'  # no decimals; Babel's British symbol
    assert date_format("en_GB") == "dd/mm/yyyy"
    assert date_format("en_US") == "m/d/yyyy"
    assert date_format("de_DE") == "dd.mm.yyyy"


def test_a_workbook_in_another_locale(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "de.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)), context(locale="de_DE"),
                           rate_book=rate_book)
    ledger = openpyxl.load_workbook(path)["Ledger"]
    assert ledger["A2"].number_format == "dd.mm.yyyy"
    assert ledger["L2"].number_format == '#,##0.00"\xa0£";"-"#,##0.00"\xa0£"'


# --- Formula injection --------------------------------------------------------------------------

def test_text_that_could_run_as_a_formula_shows_as_typed(exported):
    _project, path, _result = exported
    book = openpyxl.load_workbook(path)
    cells = [row[5] for row in book["Ledger"].iter_rows(min_row=2) if row[5].value == INJECTION]
    assert cells
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix
    references = {row[6].value: row[6] for row in book["Ledger"].iter_rows(min_row=2) if row[6].value}
    assert references["-12345"].data_type == "s" and references["-12345"].quotePrefix
    assert references["+44 7700 900123"].data_type == "s"
    notes = [row[7] for row in book["Expenses"].iter_rows(min_row=2) if row[7].value and row[7].value.startswith("@")]
    assert notes and notes[0].value == "@SUM(1,2) taxi, not bus" and notes[0].data_type == "s"
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Ledger").to_python()
    assert INJECTION in {row[5] for row in calamine}
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "HYPERLINK" in xml and not re.search(r"<f>[^<]*HYPERLINK", xml)


@pytest.mark.parametrize("text", ["=foo", "+foo", "-foo", "@foo", "\tfoo", "\rfoo", "=+-@foo", INJECTION])
def test_csv_prefixes_dangerous_text_with_a_quote(text):
    from remun.exports.safety import csv_text, is_dangerous

    assert is_dangerous(text) and csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["foo", "5", "", "Ann-Marie", "a=b"])
def test_csv_leaves_ordinary_text_alone(text):
    from remun.exports.safety import csv_text

    assert csv_text(text) == text


def test_ledger_csv_has_a_bom_the_delimiter_quoted_formulas_and_plain_numbers(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "ledger.csv"
    write_ledger_csv(session, path, ExportFilters(project_ids=(project.id,)), context(), delimiter=";")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfDate;Transaction;Project;")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[11:13] == ["Debit", "Credit"]
    names = {row[5] for row in body}
    assert "'" + INJECTION in names and INJECTION not in names
    assert "'-12345" in {row[6] for row in body}
    for row in body:
        for field in (row[10], row[11], row[12]):
            assert field == "" or re.fullmatch(r"-?\d+\.\d\d", field), field
    assert any(row[10].startswith("-") for row in body)  # a reversal's hours: a negative number, not text
    debits = sum(pennies(row[11]) for row in body)
    credits = sum(pennies(row[12]) for row in body)
    assert debits == credits > 0
    assert from_ledger(ledger_totals(body)) == expected_from_balances(session, project.id)


def test_ledger_csv_in_a_comma_decimal_locale(session, rate_book, tmp_path):
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "de.csv"
    write_ledger_csv(session, path, ExportFilters(project_ids=(project.id,)), context(locale="de_DE"), delimiter=";")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert "80,00" in {row[11] for row in rows[1:]}
    path = tmp_path / "de-comma.csv"
    write_ledger_csv(session, path, ExportFilters(project_ids=(project.id,)), context(locale="de_DE"), delimiter=",")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert "80.00" in {row[11] for row in rows[1:]}


# --- Payment batch files ------------------------------------------------------------------------

def test_a_batch_gives_the_same_bytes_every_time(session, rate_book, tmp_path):
    _project, batch = settled_project(session, rate_book, pay=False)
    first, second = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    write_batch_file(session, batch.id, first, context())
    write_batch_file(session, batch.id, second, context(made_by="someone else", made_at=dt.datetime.now(dt.timezone.utc)))
    assert first.read_bytes() == second.read_bytes()
    csv_one, csv_two = tmp_path / "one.csv", tmp_path / "two.csv"
    write_batch_file(session, batch.id, csv_one, context(), "csv")
    write_batch_file(session, batch.id, csv_two, context(made_by="another"), "csv")
    assert csv_one.read_bytes() == csv_two.read_bytes()

    book = openpyxl.load_workbook(first)
    assert book.sheetnames == ["Payments", "About"]
    payments = book["Payments"]
    assert payments.freeze_panes == "A2" and payments.page_setup.orientation == "landscape"
    rows = [[cell.value for cell in row] for row in payments.iter_rows(min_row=2)]
    by_name = {row[1]: row for row in rows}
    assert by_name["Ann"] == ["-12345", "Ann", 86.4, "GBP", f"REMUN-B{batch.id}", 2, "Bank transfer", None]
    assert payments["C2"].number_format == GBP
    assert sum(pennies(row[2]) for row in rows) == pennies(session.get(PaymentBatch, batch.id).total)
    assert book.properties.created == session.get(PaymentBatch, batch.id).created_at.replace(tzinfo=None)
    text = csv_one.read_bytes()
    assert text.startswith(b"\xef\xbb\xbfPayee reference,Payee,Amount,Currency,Payment reference,Claims,Paid by,"
                           b'"Pay to, or details"\r\n')
    assert f"'-12345,Ann,86.40,GBP,REMUN-B{batch.id},2,Bank transfer,\r\n".encode() in text
    assert f'"\'{INJECTION.replace(chr(34), chr(34) * 2)}"'.encode() in text


def test_splits_cards_and_payments_to_someone_else_reach_every_sheet_and_the_batch_file(session, rate_book, tmp_path):
    """As settlement routes them (remun.reciprocity.routing): each person's £80.00 of time and £6.40 fare.

    Hal: 25% vouchers from "Book Tokens", 75% by bank: £20.00 vouchers, £60.00 + £6.40 by bank.
    Ivy: a payment card: £80.00 + £6.40 onto the card. Jo: paid to "=Carer's Trust" on her behalf:
    £80.00 to them, and her fare (expenses are always hers) by bank transfer.
    """
    from remun.reciprocity.choices import Part, record_choice

    project = build_project(session, {"Hal": Reciprocity.NOT_CHOSEN, "Ivy": Reciprocity.NOT_CHOSEN,
                                      "Jo": Reciprocity.NOT_CHOSEN})
    people = {person.name: person for person in session.scalars(select(Person))}
    record_choice(session, people["Hal"], [Part(Reciprocity.VOUCHERS, Decimal("25"), "Book Tokens"),
                                           Part(Reciprocity.BANK_TRANSFER, Decimal("75"))], user_id=None)
    record_choice(session, people["Ivy"], [Part(Reciprocity.PAYMENT_CARD, Decimal("100"))], user_id=None)
    record_choice(session, people["Jo"], [Part(Reciprocity.THIRD_PARTY, Decimal("100"), "=Carer's Trust")],
                  user_id=None)
    approve_all(session, project, rate_book)
    filters = ExportFilters(project_ids=(project.id,))

    def due_and_vouchers(name):
        path = tmp_path / name
        write_finance_workbook(session, path, filters, context(), rate_book=rate_book)
        book = openpyxl.load_workbook(path)
        due = {(row[2], row[9]): row for row in ([cell.value for cell in cells]
                                                 for cells in book["Payments due"].iter_rows(min_row=2)) if row[9]}
        vouchers = [[cell.value for cell in cells] for cells in book["Vouchers"].iter_rows(min_row=2, max_row=2)]
        return book, due, vouchers[0]

    # Before any batch: what settlement would batch, by way of paying, and the vouchers still to give.
    book, due, hal_vouchers = due_and_vouchers("before.xlsx")
    assert {key: (row[4], row[5], row[7], row[10]) for key, row in due.items()} == {
        ("Hal", "Bank transfer"): (2, 66.4, None, None),
        ("Ivy", "Payment card"): (2, 86.4, None, None),
        ("Jo", "Bank transfer"): (1, 6.4, None, None),
        ("Jo", "To someone else on their behalf"): (1, 80, None, "=Carer's Trust"),
    }
    typed = next(row[10] for row in book["Payments due"].iter_rows(min_row=2) if row[10].value == "=Carer's Trust")
    assert typed.data_type == "s" and typed.quotePrefix
    assert hal_vouchers[2:9] == ["Hal", None, 0, 20, 1, "GBP", "Book Tokens"]

    # In a batch: the same money, now with its batch; the batch file says how and to whom.
    batch = settlement.create_batch(session, project.id, user_id=None)
    _book, due_batched, _v = due_and_vouchers("batched.xlsx")
    assert {key: (row[4], row[5], row[7]) for key, row in due_batched.items()} == {
        key: (row[4], row[5], str(batch.id)) for key, row in due.items()}
    csv_path = tmp_path / "batch.csv"
    write_batch_file(session, batch.id, csv_path, context(), "csv")
    rows = list(csv.reader(io.StringIO(csv_path.read_text("utf-8-sig"))))[1:]
    assert [(row[1], row[2], row[6], row[7]) for row in rows] == [
        ("Hal", "66.40", "Bank transfer", ""), ("Ivy", "86.40", "Payment card", ""),
        ("Jo", "6.40", "Bank transfer", ""), ("Jo", "80.00", "To someone else on their behalf", "'=Carer's Trust")]
    assert sum(pennies(row[2]) for row in rows) == pennies(batch.total)

    # Paid and given: nothing is due, Hal's vouchers are given, and the workbook still equals the balances.
    settlement.mark_paid(session, batch.id, user_id=None)
    settlement.settle_in_kind(session, project.id, user_id=None)
    book, due_after, hal_after = due_and_vouchers("after.xlsx")
    assert due_after == {}
    assert hal_after[2:9] == ["Hal", None, 20, 0, 0, "GBP", None]
    rows = [[cell.value for cell in row] for row in book["Ledger"].iter_rows(min_row=2)]
    assert from_ledger(ledger_totals(rows)) == expected_from_balances(session, project.id)


# --- LibreOffice, a real spreadsheet, recalculates the formulas --------------------------------------


def libreoffice_sheets(path: Path, workdir: Path) -> dict[str, list[list[str]]]:
    return libreoffice_csv(path, workdir, SHEETS)


def test_libreoffice_recalculates_the_summary_to_the_ledgers_balances(session, rate_book, tmp_path):
    soffice()
    project, _batch = settled_project(session, rate_book)
    path = tmp_path / "finance.xlsx"
    write_finance_workbook(session, path, ExportFilters(project_ids=(project.id,)), context(), rate_book=rate_book)
    sheets = libreoffice_sheets(path, tmp_path)
    summary = sheets["Summary"]
    assert summary[0][:4] == ["Project", "Cost centre", "Currency", "Time"]
    row = summary[1]
    assert row[0] == "Ledger test 7"
    computed = {"time": pennies(row[3]), "expenses": pennies(row[4]), "cost": pennies(row[5]),
                "bank": pennies(row[6]), "in_kind": pennies(row[7]) + pennies(row[8]) + pennies(row[9]),
                "declined": pennies(row[10]), "owed": pennies(row[11])}
    assert computed == expected_from_balances(session, project.id)
    assert computed["time"] == 400_00 and computed["declined"] == 80_00  # four paid, two given; Cat declined
    postings = len(sheets["Ledger"]) - 1
    assert int(row[12]) == postings
    total = next(line for line in summary if line[0] == "Total in GBP")
    assert total[3:12] == row[3:12]
    about = {line[0]: line[1] for line in sheets["About"] if line and line[0]}
    assert pennies(about["Debits in the Ledger sheet"]) == pennies(about["Credits in the Ledger sheet"]) > 0
    assert pennies(about["Debits less credits (should be 0)"]) == 0
    assert int(about["Rows in the Ledger sheet"]) == postings
    # LibreOffice shows the injected name as text, never running it.
    assert INJECTION in {line[5] for line in sheets["Ledger"]}


# --- The command line -----------------------------------------------------------------------------

def test_remun_export_and_batch_export_from_the_command_line(backend, tmp_path):
    from tests.helpers.cli import REMUN, run
    from tests.conftest import create_postgres_database

    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    else:
        url, drop = create_postgres_database()
    env = dict(os.environ, REMUN_DATABASE_URL=url, REMUN_INSTANCE_PATH=str(tmp_path / "instance"))
    try:
        assert run(env, "migrate").returncode == 0
        assert run(env, "demo").returncode == 0, REMUN
        name = "Community Mental Health Service Redesign"
        out, ledger_csv = tmp_path / "finance.xlsx", tmp_path / "ledger.csv"
        result = run(env, "export", "--out", str(out), "--project", name, "--csv", str(ledger_csv), "--delimiter", ";")
        assert result.returncode == 0, result.stderr
        assert "Writing the workbook" in result.stderr and re.search(r"Wrote [\d,]+ postings", result.stdout)
        book = CalamineWorkbook.from_path(str(out))
        assert book.sheet_names == SHEETS
        rows = book.get_sheet_by_name("Ledger").to_python()[1:]
        balances_json = run(env, "balances", "--project", name, "--json")
        import json

        expected = json.loads(balances_json.stdout)
        totals = from_ledger(ledger_totals(rows))
        assert totals["cost"] == pennies(expected["project_cost"])
        assert totals["owed"] == sum(pennies(p["owed"]) for p in expected["people"])
        assert ledger_csv.read_bytes().startswith(b"\xef\xbb\xbfDate;")

        bad = run(env, "export", "--out", str(out), "--from", "2026-05-01", "--to", "2026-04-01")
        assert bad.returncode == 2 and "on or before" in bad.stderr
        assert run(env, "export").returncode == 2

        created = run(env, "batch", "create", "--project", name, "--json")
        if created.returncode == 0:
            batch = json.loads(created.stdout)["batch"]
        else:  # nothing waiting: export the demo's paid batch
            batch = 1
        one, two = tmp_path / "b1.xlsx", tmp_path / "b2.xlsx"
        assert run(env, "batch", "export", str(batch), "--out", str(one)).returncode == 0
        assert run(env, "batch", "export", str(batch), "--out", str(two)).returncode == 0
        assert one.read_bytes() == two.read_bytes()
        assert run(env, "batch", "export", str(batch), "--out", str(tmp_path / "b.csv")).returncode == 0
        missing = run(env, "batch", "export", "999999", "--out", str(tmp_path / "none.csv"))
        assert missing.returncode == 1 and "There is no batch 999999" in missing.stderr
    finally:
        if drop:
            drop()


def test_batch_file_and_export_accounts_are_in_the_ledger_model():
    # The Summary's columns read these accounts: a renamed account would silently total nothing.
    assert {spec[0] for spec in ledger_sheets.SUMMARY_ACCOUNTS if spec} == set(Account) - {Account.DECLINED_OFFSET}


# --- The pages ------------------------------------------------------------------------------------

def _page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_the_exports_page_and_a_workbook_made_in_the_background(client, db_session, rate_book):
    project, _batch = settled_project(db_session, rate_book)
    db_session.commit()
    page = client.get("/exports/")
    assert page.status_code == 200
    text = _page_text(page)
    assert "Finance exports" in text and "Ledger test 7" in text and "Finance workbook (Excel, .xlsx)" in text

    response = workbook_through_its_job(client, f"/exports/download?projects={project.id}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=remun-finance-")
    data = response.get_data()
    assert int(response.headers["Content-Length"]) == len(data)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
    assert book.properties.creator == "admin@example.org"
    rows = [[cell.value for cell in row] for row in book["Ledger"].iter_rows(min_row=2)]
    assert from_ledger(ledger_totals(rows)) == expected_from_balances(db_session, project.id)


def test_a_csv_download_streams_with_the_chosen_delimiter(client, db_session, rate_book):
    project, _batch = settled_project(db_session, rate_book)
    db_session.commit()
    response = client.get(f"/exports/download?projects={project.id}&format=csv-semicolon")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfDate;Transaction;")
    assert b"'" + INJECTION.replace('"', '""').encode() in data


def test_bad_dates_are_explained_on_the_page(client, db_session):
    response = client.get("/exports/download?date_from=1&date_from=5&date_from=2026"
                          "&date_to=1&date_to=4&date_to=2026&format=xlsx")
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in _page_text(response)
    response = client.get("/exports/download?date_from=31&date_from=2&date_from=2026&format=xlsx")
    assert "Enter a real date" in _page_text(response)


def test_a_lead_exports_only_the_projects_they_lead(client_for, db_session, rate_book, make_user):
    project, _batch = settled_project(db_session, rate_book)
    from remun.project_records.models import Project

    other = Project(name="Somebody else's project")
    db_session.add(other)
    db_session.commit()
    lead = client_for(make_user("lead", projects=[project]))
    page = _page_text(lead.get("/exports/"))
    assert "Ledger test 7" in page and "Somebody else" not in page
    assert lead.get(f"/exports/download?projects={other.id}&format=xlsx").status_code == 403
    assert lead.get(f"/exports/download?projects={project.id}&projects={other.id}&format=csv").status_code == 403
    everything_they_may = workbook_through_its_job(lead, "/exports/download?format=xlsx")
    summary = openpyxl.load_workbook(io.BytesIO(everything_they_may.get_data()))["Summary"]
    assert [row[0].value for row in summary.iter_rows(min_row=2, max_row=3)] == ["Ledger test 7", None]
    about = {row[0].value: row[1].value for row in openpyxl.load_workbook(
        io.BytesIO(everything_they_may.get_data()))["About"].iter_rows() if row[0].value}
    assert about["Projects"] == "Ledger test 7"


def test_finance_exports_every_project(client_for, finance_user, db_session, rate_book):
    settled_project(db_session, rate_book)
    db_session.commit()
    finance = client_for(finance_user)
    response = workbook_through_its_job(finance, "/exports/download?format=xlsx")
    about = {row[0].value: row[1].value for row in openpyxl.load_workbook(
        io.BytesIO(response.get_data()))["About"].iter_rows() if row[0].value}
    assert about["Projects"] == "All projects" and about["Made by"] == "finance@example.org"


def test_batch_page_links_to_files_that_are_the_same_every_time(client_for, finance_user, db_session, rate_book):
    from remun.accounts.models import AuditEvent

    project, batch = settled_project(db_session, rate_book, pay=False)
    db_session.commit()
    finance = client_for(finance_user)
    page = finance.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    xlsx_url = f"/projects/{project.id}/batches/{batch.id}/file.xlsx"
    csv_url = f"/projects/{project.id}/batches/{batch.id}/file.csv"
    assert f'href="{xlsx_url}"' in page and f'href="{csv_url}"' in page
    first, second = finance.get(xlsx_url), finance.get(xlsx_url)
    assert first.status_code == 200 and first.get_data() == second.get_data()
    assert first.headers["Content-Disposition"] == f'attachment; filename="remun-batch-{batch.id}.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(first.get_data()))["Payments"]["A1"].value == "Payee reference"
    as_csv = finance.get(csv_url + "?delimiter=semicolon").get_data()
    assert as_csv.startswith(b"\xef\xbb\xbfPayee reference;Payee;Amount")
    assert finance.get(f"/projects/{project.id}/batches/999999/file.csv").status_code == 404
    events = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action == "batch.exported")).all()
    assert len(events) == 3


# --- In a real browser --------------------------------------------------------------------------

@pytest.mark.browser
def test_the_exports_page_passes_axe_and_downloads_the_workbook_and_csv(live_server, browser, rate_book, tmp_path):
    """An administrator, in Chromium, on the demo: the page (both widths, and with an error), then both downloads."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from playwright.sync_api import expect
    from remun.project_records.models import Project

    engine = create_engine(os.environ["REMUN_DATABASE_URL"])  # the live server's database, while it runs
    with Session(engine) as writer:  # the demo's sessions approved, so the ledger has postings to export
        for project_id in writer.scalars(select(Project.id)):
            claims.sync_claims(writer, rate_book, project_id=project_id)
            claims.approve(writer, [claim.id for claim in claims.claims_waiting(writer, project_id)], user_id=None)
        writer.commit()
    engine.dispose()
    page = signed_in_page(browser, live_server, viewport={"width": WIDTHS["desktop"], "height": 900})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server + "/")
    page.get_by_role("link", name="Exports", exact=True).first.click()  # in the menu (the start page links it too)
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        _check(page, "/exports/", width_name)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    page.locator("#date_from-day").fill("1")
    page.locator("#date_from-month").fill("5")
    page.locator("#date_from-year").fill("2026")
    page.locator("#date_to-day").fill("1")
    page.locator("#date_to-month").fill("4")
    page.locator("#date_to-year").fill("2026")
    page.get_by_role("button", name="Download").click()
    assert "The end date must be the same as or after the start date" in page.locator(".govuk-error-summary").inner_text()
    _check(page, "/exports/download-errors", "desktop")
    assert problems == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    problems.clear()  # the page's own status for the mistake, as the 404 page's in tests/browser/test_browser.py

    for name in ("date_from", "date_to"):
        for part in ("day", "month", "year"):
            page.locator(f"#{name}-{part}").fill("")
    page.get_by_label("Finance workbook (Excel, .xlsx)").check()
    page.get_by_role("button", name="Download").click()
    page.wait_for_url("**/jobs/*")  # the workbook is made in the background, then offered on its page
    link = page.get_by_role("link", name=re.compile(r"^Download "))
    expect(link).to_be_visible(timeout=60_000)
    _check(page, "/jobs/", "desktop")
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("remun-finance-") and saved.suffix == ".xlsx"
    book = CalamineWorkbook.from_path(str(saved))
    assert book.sheet_names == SHEETS
    rows = book.get_sheet_by_name("Ledger").to_python()[1:]
    about = {row[0]: row[1] for row in book.get_sheet_by_name("About").to_python() if row and row[0]}
    assert len(rows) == int(about["Postings"]) > 0
    assert sum(pennies(row[11]) for row in rows) == pennies(about["Debits in GBP (from the database)"])
    assert about["Made by"] == ADMIN_EMAIL

    page.goto(live_server + "/exports/")
    page.get_by_label("Ledger as CSV, fields separated by semicolons", exact=False).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfDate;Transaction;") and data.count(b"\r\n") == len(rows) + 1
    assert problems == []
    page.close()


def test_about_sheet_says_which_rate_cards_are_overdue(session, rate_book, tmp_path, monkeypatch):
    from remun.pay import rate_review

    project, _batch = settled_project(session, rate_book)
    filters = ExportFilters(project_ids=(project.id,))
    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 12, 7))
    write_finance_workbook(session, tmp_path / "late.xlsx", filters, context(), rate_book=rate_book)
    about = {row[0].value: row[1].value for row in openpyxl.load_workbook(tmp_path / "late.xlsx")["About"].iter_rows()
             if row[0].value and len(row) > 1}
    assert about["Real Living Wage"] == ("The Real Living Wage is normally updated in late October. Remun's newest "
                                         "figure is £13.45, from 22 October 2025. An administrator can add the new figure.")
    monkeypatch.setattr(rate_review, "today", lambda: dt.date(2026, 10, 30))
    write_finance_workbook(session, tmp_path / "current.xlsx", filters, context(), rate_book=rate_book)
    cells = [row[0].value for row in openpyxl.load_workbook(tmp_path / "current.xlsx")["About"].iter_rows()]
    assert "Every rate card Remun uses has its newest figure." in cells and "Real Living Wage" not in cells
