"""Accounting import files (issue 20): Xero's bill CSV and a plain purchase-ledger CSV, for the demo's payment
batch and for what was given in kind; the codes they use; the pages and the command line. Both backends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.accounts.models import AuditEvent
from remun.exports import ExportContext
from remun.exports import accounting as accounting_module
from remun.exports.accounting import (
    LEDGER_COLUMNS,
    XERO_COLUMNS,
    XERO_MOST_BILLS,
    BillLine,
    Bills,
    batch_bills,
    ledger_csv_file,
    xero_files,
    zipped,
)
from remun.ledger import balances
from remun.ledger.models import PaymentBatch
from remun.project_records.models import Person, Project
from remun.organisation.accounting import AccountingSettingsMissing, codes_for
from tests.helpers.accounting import CODES, demo_batch, load_demo_project, set_codes  # noqa: F401

#: The columns of Xero's bill template, in its order (the issue's list); the file marks required ones with *.
XERO_ORDER = ["ContactName", "EmailAddress", "InvoiceNumber", "Reference", "InvoiceDate", "DueDate", "Description",
              "Quantity", "UnitAmount", "AccountCode", "TaxType", "TrackingName1", "TrackingOption1", "Currency"]
DEMO_NAME = "Community Mental Health Service Redesign"


def pennies(value) -> int:
    return int((Decimal(str(value)) * 100).quantize(Decimal("1")))


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def page_total(client, project, batch) -> int:
    """The batch page's total, in pennies, as the page shows it."""
    page = client.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    shown = re.search(r'data-label="Total"><strong>([^<]+)</strong>', page).group(1)
    return pennies(re.sub(r"[^\d.]", "", shown))


def xero_total(rows) -> int:
    header = [name.lstrip("*") for name in rows[0]]
    quantity, unit = header.index("Quantity"), header.index("UnitAmount")
    return sum(pennies(Decimal(row[quantity]) * Decimal(row[unit])) for row in rows[1:])


# --- The demo's batch, on the pages -------------------------------------------------------------------------------

def demo_batch_file(client, db_session, rate_book, fmt: str):
    """The demo, with codes set, and its batch's file of ``fmt`` downloaded once: (project, batch, address, response)."""
    project = load_demo_project(db_session, rate_book)
    set_codes(db_session)
    db_session.commit()
    batch = demo_batch(db_session, project)
    address = f"/projects/{project.id}/batches/{batch.id}/accounting/{fmt}"
    first = client.get(address)
    assert first.status_code == 200, first.get_data(as_text=True)
    return project, batch, address, first


def test_the_xero_file_for_the_demo_batch(client, db_session, rate_book):
    project, batch, address, first = demo_batch_file(client, db_session, rate_book, "xero")
    assert first.mimetype == "text/csv"
    assert first.headers["Content-Disposition"] == f'attachment; filename="remun-batch-{batch.id}-xero.csv"'
    rows = rows_of(first.get_data())
    # Xero's template: these columns in this order, its required ones marked with *.
    assert [name.lstrip("*") for name in rows[0]] == XERO_ORDER
    assert rows[0][0] == "*ContactName" and rows[0][1] == "EmailAddress"
    assert xero_total(rows) == page_total(client, project, batch) == pennies(batch.total) > 0
    body = [dict(zip(XERO_ORDER, row)) for row in rows[1:]]
    # One bill per payee, a line per kind of claim, the codes from the settings, dates as DD/MM/YYYY.
    payees = {item.person_id for item in batch.items}
    assert len({line["InvoiceNumber"] for line in body}) == len(payees)
    assert all(re.fullmatch(rf"REMUN-B{batch.id}-\d+", line["InvoiceNumber"]) for line in body)
    assert {line["AccountCode"] for line in body} <= {"5100", "5110"}
    by_bill: dict[str, list[str]] = {}
    for line in body:
        by_bill.setdefault(line["InvoiceNumber"], []).append(line["AccountCode"])
    assert all(codes in (["5100"], ["5110"], ["5100", "5110"]) for codes in by_bill.values())  # time, then expenses
    assert ["5100", "5110"] in by_bill.values()
    assert {(line["TaxType"], line["TrackingName1"], line["TrackingOption1"], line["Currency"]) for line in body} == {
        ("No VAT", "Cost centre", project.cost_centre, "GBP")}
    day = batch.created_at.astimezone(dt.timezone.utc).date() if batch.created_at.tzinfo else batch.created_at.date()
    assert {line["InvoiceDate"] for line in body} == {line["DueDate"] for line in body} == {day.strftime("%d/%m/%Y")}
    assert {line["EmailAddress"] for line in body} == {""}  # nothing personal beyond the payee, no bank details
    # Contact names are the payee reference where one is set.
    referenced = db_session.scalars(select(Person).where(Person.id.in_(payees),
                                                         Person.payee_reference.is_not(None))).all()
    assert referenced and {person.payee_reference for person in referenced} <= {line["ContactName"] for line in body}
    # The same bytes on a second download, and the download is in the audit log with its format.
    again = client.get(address)
    assert again.get_data() == first.get_data()
    logged = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.exported",
                                                         AuditEvent.object_id == str(batch.id))).all()
    assert len(logged) == 2 and all('"xero"' in event.detail for event in logged)


def test_the_plain_purchase_ledger_csv_for_the_demo_batch(client, db_session, rate_book):
    project, batch, address, first = demo_batch_file(client, db_session, rate_book, "ledger-csv")
    assert first.mimetype == "text/csv"
    rows = rows_of(first.get_data())
    assert tuple(rows[0]) == LEDGER_COLUMNS
    body = [dict(zip(LEDGER_COLUMNS, row)) for row in rows[1:]]
    assert sum(pennies(line["amount"]) for line in body) == page_total(client, project, batch) == pennies(batch.total)
    assert {line["batch_id"] for line in body} == {str(batch.id)}
    assert {line["claim_kind"] for line in body} == {"time", "expenses"}
    assert {line["account_code"] for line in body if line["claim_kind"] == "time"} == {"5100"}
    assert {line["cost_centre"] for line in body} == {project.cost_centre}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", line["invoice_date"]) for line in body)
    assert client.get(address).get_data() == first.get_data()


def test_the_batch_page_offers_the_accounting_files(client, db_session, rate_book):
    project = load_demo_project(db_session, rate_book)
    batch = demo_batch(db_session, project)
    page = client.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    offered = re.search(r'<ul class="govuk-list" id="accounting-files">(.*?)</ul>', page, re.S).group(1)
    assert f"/projects/{project.id}/batches/{batch.id}/accounting/xero" in offered
    assert f"/projects/{project.id}/batches/{batch.id}/accounting/ledger-csv" in offered
    assert "Xero" in offered and "Sage" in offered
    payments = client.get(f"/projects/{project.id}/batches").get_data(as_text=True)
    assert f"/projects/{project.id}/in-kind/accounting/xero" in payments
    assert f"/projects/{project.id}/in-kind/accounting/ledger-csv" in payments


def test_missing_codes_are_named_plainly_and_nothing_is_made(client, db_session, rate_book):
    project = load_demo_project(db_session, rate_book)
    batch = demo_batch(db_session, project)
    set_codes(db_session, {"code_time": "5100"})  # no code for expenses, no tax type
    db_session.commit()
    response = client.get(f"/projects/{project.id}/batches/{batch.id}/accounting/xero")
    assert response.status_code == 409 and response.mimetype == "text/html"
    text = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    assert "Not given: Account code for expenses, Tax type" in text and "never guesses" in text
    assert "Account code for time" not in text.split("Not given:")[1].split(".")[0]
    with pytest.raises(AccountingSettingsMissing) as problem:
        batch_bills(db_session, batch.id, ExportContext(made_by="test"))
    assert problem.value.missing == ["code_expenses", "tax_type"]
    # A tracking category with no option (no cost centre anywhere) is missing too; a project's own code wins.
    set_codes(db_session, {**CODES})
    project.cost_centre = None
    db_session.commit()
    assert codes_for(db_session, project).missing(["time"]) == ["tracking_option"]


def test_the_settings_pages_keep_what_was_saved(client, db_session, rate_book):
    page = client.get("/settings/accounting")
    assert page.status_code == 200 and "Account code for time" in page.get_data(as_text=True)
    saved = client.post("/settings/accounting", data={**CODES, "code_time": " 5100 "})
    assert saved.status_code == 302
    again = client.get("/settings/accounting").get_data(as_text=True)
    assert 'value="5100"' in again and 'value="No VAT"' in again and 'value="Cost centre"' in again
    project = Project(name="Accounting test", cost_centre="CC-1")
    db_session.add(project)
    db_session.commit()
    assert codes_for(db_session, project).codes["time"] == "5100"
    assert codes_for(db_session, project).tracking_option == "CC-1"
    own = client.post(f"/settings/projects/{project.id}/accounting",
                      data={"code_time": "6100", "tracking_option": "Ward 7"})
    assert own.status_code == 302
    shown = client.get(f"/settings/projects/{project.id}/accounting").get_data(as_text=True)
    assert 'value="6100"' in shown and 'value="Ward 7"' in shown
    found = codes_for(db_session, project)
    assert (found.codes["time"], found.codes["expenses"], found.tracking_option) == ("6100", "5110", "Ward 7")
    changed = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "project.accounting_changed")).all()
    assert len(changed) == 1 and "6100" in changed[0].detail
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed",
                                                      AuditEvent.object_id == "accounting.code_time"))


def test_leads_and_participants_cannot_change_the_codes(client_for, make_user, led_project):
    lead = client_for(make_user("lead", projects=[led_project]))
    assert lead.get("/settings/accounting").status_code in (302, 403)
    assert lead.get(f"/settings/projects/{led_project.id}/accounting").status_code in (302, 403)
    finance = client_for(make_user("finance"))
    assert finance.get("/settings/accounting").status_code == 200
    assert finance.get(f"/settings/projects/{led_project.id}/accounting").status_code == 200


def test_the_in_kind_list_as_bills(client, db_session, rate_book):
    project = load_demo_project(db_session, rate_book)
    set_codes(db_session)
    db_session.commit()
    given = sum(pennies(person.in_kind) for person in balances.project_balances(db_session, project.id).people)
    assert given > 0
    address = f"/projects/{project.id}/in-kind/accounting/xero"
    first = client.get(address)
    assert first.status_code == 200, first.get_data(as_text=True)
    rows = rows_of(first.get_data())
    assert [name.lstrip("*") for name in rows[0]] == XERO_ORDER
    assert xero_total(rows) == given
    body = [dict(zip(XERO_ORDER, row)) for row in rows[1:]]
    assert {line["AccountCode"] for line in body} <= {"5120", "5130", "5140"}
    assert any("Love2shop" in line["Description"] for line in body)  # what the person chose
    assert client.get(address).get_data() == first.get_data()
    plain = rows_of(client.get(f"/projects/{project.id}/in-kind/accounting/ledger-csv").get_data())
    body = [dict(zip(LEDGER_COLUMNS, row)) for row in plain[1:]]
    assert sum(pennies(line["amount"]) for line in body) == given
    assert {line["source"] for line in body} == {"in_kind"} and {line["batch_id"] for line in body} == {""}
    assert {line["claim_kind"] for line in body} <= {"vouchers", "training", "donation"}
    # A day range that holds nothing gives a file with only the headings.
    empty = client.get(f"/projects/{project.id}/in-kind/accounting/xero?from=2000-01-01&to=2000-01-31")
    assert rows_of(empty.get_data()) == [list(XERO_COLUMNS)]
    assert client.get(f"/projects/{project.id}/in-kind/accounting/xero?from=someday").status_code == 400
    assert client.get(f"/projects/{project.id}/in-kind/accounting/pdf").status_code == 404


# --- More than 500 bills --------------------------------------------------------------------------------------------

def many_bills(payees: int) -> Bills:
    """``payees`` bills of two lines each, made without a database (cheap)."""
    day = dt.date(2026, 5, 4)
    lines = tuple(
        BillLine(f"REMUN-B9-{number}", f"Payee {number:04d}", f"Payee {number:04d}", "", day, kind, 1,
                 Decimal("10.05"), f"{kind} line")
        for number in range(1, payees + 1) for kind in ("expenses", "time")
    )
    return Bills(project=Project(name="Big project", currency="GBP"), reference="REMUN-B9", batch_id=9, lines=lines,
                 account_codes={"time": "5100", "expenses": "5110"}, tax_type="No VAT", tracking_name="",
                 tracking_option="", currency="GBP", stem="remun-batch-9")


def test_more_than_500_bills_are_split_into_numbered_files():
    bills = many_bills(1_001)
    files = xero_files(bills)
    assert [file.name for file in files] == [f"remun-batch-9-xero-{n}.csv" for n in (1, 2, 3)]
    seen, total = [], 0
    for file in files:
        rows = rows_of(file.data)
        assert tuple(rows[0]) == XERO_COLUMNS
        numbers = {row[2] for row in rows[1:]}
        assert len(numbers) <= XERO_MOST_BILLS
        seen.append(len(numbers))
        total += xero_total(rows)
    assert seen == [500, 500, 1]  # a bill's lines are never split between files
    assert total == pennies(bills.total) == 1_001 * 2 * 10_05
    assert xero_files(many_bills(500))[0].name == "remun-batch-9-xero.csv" and len(xero_files(many_bills(500))) == 1
    assert zipped(files, "x.zip").data == zipped(xero_files(many_bills(1_001)), "x.zip").data


def test_a_split_batch_comes_as_a_zip_or_numbered_files_on_the_page(client, db_session, rate_book, monkeypatch):
    project = load_demo_project(db_session, rate_book)
    set_codes(db_session)
    db_session.commit()
    batch = demo_batch(db_session, project)
    payees = len({item.person_id for item in batch.items})
    monkeypatch.setattr(accounting_module, "XERO_MOST_BILLS", 2)  # the demo's payees, as if there were thousands
    parts = -(-payees // 2)
    page = client.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    assert f"a zip of {parts} CSV files" in page and "at most 500 bills" in page
    address = f"/projects/{project.id}/batches/{batch.id}/accounting/xero"
    response = client.get(address)
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert names == [f"remun-batch-{batch.id}-xero-{n}.csv" for n in range(1, parts + 1)]
    assert sum(xero_total(rows_of(archive.read(name))) for name in names) == pennies(batch.total)
    assert client.get(address).get_data() == response.get_data()
    second = client.get(f"{address}?part=2")
    assert second.mimetype == "text/csv" and second.get_data() == archive.read(names[1])
    assert client.get(f"{address}?part={parts + 1}").status_code == 404


def test_a_part_the_file_does_not_have_is_not_found_on_the_page(client, db_session, rate_book):
    """?part=N is one numbered file of a split; a file that is not split has only part 1. The page once handed the
    whole file over for any N (a script fetching parts until a 404 would import it again and again), and failed
    with a server error on a part that is not a number; the API always refused both (tests/api)."""
    project, batch, address, whole = demo_batch_file(client, db_session, rate_book, "ledger-csv")
    first = client.get(f"{address}?part=1")
    assert first.status_code == 200 and first.get_data() == whole.get_data()
    for part in ("2", "0", "two"):
        assert client.get(f"{address}?part={part}").status_code == 404, part
    in_kind = f"/projects/{project.id}/in-kind/accounting/xero"
    assert client.get(f"{in_kind}?part=1").get_data() == client.get(in_kind).get_data()
    assert client.get(f"{in_kind}?part=2").status_code == 404
    logged = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "batch.exported",
                                                         AuditEvent.object_id == str(batch.id))).all()
    parts = sorted(json.loads(event.detail).get("part") or 0 for event in logged)
    assert parts == [0, 1]  # the two downloads, and nothing for the refusals


def test_text_that_could_run_as_a_formula_is_kept_as_text():
    bills = many_bills(1)
    risky = BillLine("REMUN-B9-1", "=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")", "+44 1", dt.date(2026, 5, 4), "time", 1,
                     Decimal("-1.00"), "@SUM(1)")
    bills = Bills(**{**bills.__dict__, "lines": (risky,)})
    row = rows_of(xero_files(bills)[0].data)[1]
    assert row[0] == "'=HYPERLINK(\"x\")" and row[6] == "'@SUM(1)" and row[8] == "-1.00"  # numbers untouched
    plain = dict(zip(LEDGER_COLUMNS, rows_of(ledger_csv_file(bills).data)[1]))
    assert plain["payee_reference"] == "'+44 1" and plain["amount"] == "-1.00"


# --- The command line ------------------------------------------------------------------------------------------------

def test_remun_batch_export_writes_the_same_accounting_files_every_time(cli_env, tmp_path):
    from sqlalchemy.orm import Session as PlainSession

    from remun.database import make_engine
    from tests.helpers.cli import run

    assert run(cli_env, "migrate").returncode == 0
    assert run(cli_env, "demo").returncode == 0
    xero_one, xero_two = tmp_path / "x1.csv", tmp_path / "x2.csv"
    missing = run(cli_env, "batch", "export", "1", "--format", "xero", "--out", str(xero_one))
    assert missing.returncode == 1 and "Not given: Account code for time" in missing.stderr
    assert not xero_one.exists()
    for field, value in CODES.items():
        assert run(cli_env, "settings", "set", f"accounting.{field}", value).returncode == 0
    engine = make_engine(cli_env["REMUN_DATABASE_URL"])
    with PlainSession(engine) as session:
        batch = session.scalars(select(PaymentBatch).order_by(PaymentBatch.id)).first()
        total, batch_id = batch.total, batch.id
    engine.dispose()
    for path in (xero_one, xero_two):
        result = run(cli_env, "batch", "export", str(batch_id), "--format", "xero", "--out", str(path))
        assert result.returncode == 0, result.stderr
        assert f"{total:,.2f} GBP" in result.stdout
    assert xero_one.read_bytes() == xero_two.read_bytes()
    rows = rows_of(xero_one.read_bytes())
    assert [name.lstrip("*") for name in rows[0]] == XERO_ORDER and xero_total(rows) == pennies(total)
    plain_one, plain_two = tmp_path / "p1.csv", tmp_path / "p2.csv"
    for path in (plain_one, plain_two):
        assert run(cli_env, "batch", "export", str(batch_id), "--format", "ledger-csv", "--out", str(path)).returncode == 0
    assert plain_one.read_bytes() == plain_two.read_bytes()
    assert sum(pennies(row[LEDGER_COLUMNS.index("amount")]) for row in rows_of(plain_one.read_bytes())[1:]) == pennies(total)
    in_kind = tmp_path / "given.csv"
    result = run(cli_env, "batch", "export-in-kind", "--project", DEMO_NAME, "--format", "xero", "--out", str(in_kind))
    assert result.returncode == 0, result.stderr
    assert len(rows_of(in_kind.read_bytes())) > 1
    wrong = run(cli_env, "batch", "export", str(batch_id), "--format", "xero", "--out", str(tmp_path / "x.xlsx"))
    assert wrong.returncode == 2
    assert run(cli_env, "batch", "export", "999999", "--format", "xero", "--out", str(xero_one)).returncode == 1
    engine = make_engine(cli_env["REMUN_DATABASE_URL"])
    with PlainSession(engine) as session:
        formats = [json.loads(event.detail).get("format") for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["batch.exported", "in_kind.exported"])))]
    engine.dispose()
    assert formats.count("xero") == 3 and formats.count("ledger-csv") == 2
