"""Figures in and out (issue 16): pages agree with the files and the ledger, to the penny."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from sqlalchemy import select

from remun.project_records.enums import Reciprocity
from remun.ledger import claims as ledger_claims
from remun.ledger.models import PaymentBatch
from remun.project_records.models import Person
from remun.reciprocity import choices
from remun.reciprocity.choices import Part
from tests.helpers.ledger import build_project


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def batch_rows(html: str) -> list[list[str]]:
    """The batch page's payee rows, each cell's text."""
    body = html[html.index("<tbody"):html.index("</tbody>")]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_a_batch_page_pays_exactly_what_its_file_pays_for_split_payees(client, db_session, rate_book):
    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN, "Cal": Reciprocity.NOT_CHOSEN})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    cal = db_session.scalar(select(Person).where(Person.name == "Cal"))
    # Ann: half by cheque, half vouchers; Cal: paid to someone else on his behalf.
    choices.record_choice(db_session, ann, [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                            Part(Reciprocity.VOUCHERS, Decimal("50"), "Tesco")], user_id=None)
    choices.record_choice(db_session, cal, [Part(Reciprocity.THIRD_PARTY, Decimal("100"), "His sister")], user_id=None)
    ledger_claims.sync_claims(db_session, rate_book, project_id=project.id)
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    batch = db_session.scalar(select(PaymentBatch))

    html = client.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    page_rows = batch_rows(html)
    data = client.get(f"/projects/{project.id}/batches/{batch.id}/file.csv").get_data()
    file_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]

    # One page row for each file row: the same payee, way of paying and amount.
    assert len(page_rows) == len(file_rows) == 3
    page = [(row[0], row[2], Decimal(row[4].replace("£", "").replace(",", ""))) for row in page_rows]
    in_file = [(row[1], row[6], Decimal(row[2])) for row in file_rows]
    assert [(name, amount) for name, _, amount in page] == [(name, amount) for name, _, amount in in_file]
    # Ann's cheque is half her £80.00 of time (not the whole claim) and her £6.40 fare.
    assert ("Ann", "Cheque: A cheque", Decimal("46.40")) in page
    assert ("Cal", "Bank transfer", Decimal("6.40")) in page
    assert ("Cal", "To someone else: His sister", Decimal("80.00")) in page
    # The total row equals the headline and the file's sum.
    total = " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<tfoot"):html.index("</tfoot>")]).split())
    assert total == "Total £132.80"
    assert "£132.80 to 2 payees" in text_of(client.get(f"/projects/{project.id}/batches/{batch.id}"))
    assert sum(amount for _, _, amount in in_file) == batch.total == Decimal("132.80")
    assert "Paid by" in html


def _new_session(db_session, project, title="Second panel"):
    from remun.project_records.models import Meeting

    first = db_session.scalar(select(Meeting).where(Meeting.project_id == project.id))
    meeting = Meeting(project=project, date=first.date, title=title, hours=Decimal("2.5"))
    db_session.add(meeting)
    db_session.commit()
    return meeting


def test_attendance_left_blank_takes_the_role_s_usual_hours_and_0_means_none(client, db_session):
    from remun.project_records.models import Attendance

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.BANK_TRANSFER})
    meeting = _new_session(db_session, project)
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    bea = db_session.scalar(select(Person).where(Person.name == "Bea"))
    url = f"/projects/{project.id}/sessions/{meeting.id}/attendance/new"
    assert client.post(url, data={"person_id": str(ann.id), "hours": "", "prep_hours": "", "travel_hours": "",
                                  "expense_category": "travel"}).status_code == 302
    assert client.post(url, data={"person_id": str(bea.id), "hours": "2", "prep_hours": "0", "travel_hours": "0",
                                  "expense_category": "travel"}).status_code == 302
    recorded = {a.person.name: (a.hours, a.prep_hours, a.travel_hours)
                for a in db_session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    # The panel member's terms pay 1 hour of preparation: a blank is that hour, not nothing.
    assert recorded["Ann"] == (Decimal("2.5"), Decimal("1"), Decimal("0"))
    assert recorded["Bea"] == (Decimal("2"), Decimal("0"), Decimal("0"))


def test_a_session_page_records_several_people_at_once_prefilled_from_their_roles(client, db_session):
    from remun.ledger.models import Claim
    from remun.project_records.models import Attendance

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.BANK_TRANSFER})
    meeting = _new_session(db_session, project)
    people = {p.name: p for p in db_session.scalars(select(Person))}
    url = f"/projects/{project.id}/sessions/{meeting.id}/attendance/several"
    html = client.get(url).get_data(as_text=True)
    # One prefilled row for each person in the session's roles: the session's length and each role's usual.
    for name in ("Ann", "Bea", "Dr Staff"):
        assert f'id="took_part_{people[name].id}"' in html
    assert f'name="hours_{people["Ann"].id}" type="text" inputmode="decimal" spellcheck="false"\n               value="2.50"' in html
    assert re.search(rf'name="prep_hours_{people["Ann"].id}"[^>]*\n\s*value="1"', html)
    assert re.search(rf'name="prep_hours_{people["Dr Staff"].id}"[^>]*\n\s*value="0"', html)
    assert "checked" not in html  # nobody is assumed to have come

    # Nobody ticked: a plain error, nothing saved.
    assert "Select everyone who took part" in text_of(client.post(url, data={}))
    # A bad number names the person and what to type.
    bad = text_of(client.post(url, data={f"took_part_{people['Ann'].id}": "yes", f"hours_{people['Ann'].id}": "two"}))
    assert "Ann: Enter a number, like 2.5" in bad

    ann, staff = people["Ann"].id, people["Dr Staff"].id
    response = client.post(url, data={f"took_part_{ann}": "yes", f"hours_{ann}": "2.5", f"prep_hours_{ann}": "1",
                                      f"travel_hours_{ann}": "", f"expense_amount_{ann}": "£3.20",
                                      f"expense_category_{ann}": "travel",
                                      f"took_part_{staff}": "yes", f"hours_{staff}": "2.5", f"prep_hours_{staff}": "0"})
    assert response.status_code == 302
    assert "Attendance saved for 2 people" in text_of(client.get(response.headers["Location"]))
    found = {a.person.name: a for a in db_session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    assert set(found) == {"Ann", "Dr Staff"}
    assert (found["Ann"].hours, found["Ann"].prep_hours, found["Ann"].expenses[0].amount) == (
        Decimal("2.5"), Decimal("1"), Decimal("3.20"))
    # They became claims waiting for approval: 3.5 hours at £20 and the fare.
    amounts = sorted(c.amount for c in db_session.scalars(select(Claim).where(Claim.attendance_id == found["Ann"].id)))
    assert amounts == [Decimal("3.20"), Decimal("70.00")]
    # Those recorded are no longer offered.
    again = client.get(url).get_data(as_text=True)
    assert f'id="took_part_{ann}"' not in again and f'id="took_part_{people["Bea"].id}"' in again


def test_numbers_are_read_as_typed_in_the_page_s_language(client, db_session):
    from remun.project_records.models import Attendance

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    meeting = _new_session(db_session, project)
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    client.set_cookie("remun_lang", "pl")
    url = f"/projects/{project.id}/sessions/{meeting.id}/attendance/new"
    refused = client.post(url, data={"person_id": str(ann.id), "hours": "x", "expense_category": "travel"})
    assert "2,5" in text_of(refused)  # the example is written the Polish way
    response = client.post(url, data={"person_id": str(ann.id), "hours": "2,5", "prep_hours": "1",
                                      "travel_hours": "0", "expense_amount": "6,40", "expense_category": "travel"})
    assert response.status_code == 302
    attendance = db_session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id))
    assert attendance.hours == Decimal("2.5") and attendance.expenses[0].amount == Decimal("6.40")


def test_inputs_carry_their_units_and_percentages_have_no_needless_decimals(client, db_session, app):
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    meeting = _new_session(db_session, project)
    html = client.get(f"/projects/{project.id}/sessions/{meeting.id}/attendance/new").get_data(as_text=True)
    assert re.search(r'govuk-input__prefix[^>]*>\s*£\s*<', html)
    assert re.search(r'govuk-input__suffix[^>]*>\s*hours\s*<', html)
    from remun.web.formatting import percent

    with app.test_request_context():
        assert (percent(Decimal("50")), percent(Decimal("12.5")), percent(Decimal("33.3"))) == ("50%", "12.5%", "33.3%")


ROLE_WORDS = {
    # basis: (what the role page says of unpaid preparation, the sentence on what parity counts)
    "hour": ("1 hour, not paid (parity still counts it as time given)", "Parity counts all 5 hours given"),
    "session": ("1 hour, covered by the fee", "The fee of £90.00 covers them all"),
    "half_day": ("1 hour, covered by the fee", "The fee of £90.00 covers them all"),
    "day": ("1 hour, covered by the fee", "The fee of £90.00 covers them all"),
    "salary": ("1 hour, paid: a salary covers every hour", "parity counts all 5 hours of each session"),
}


@pytest.mark.parametrize("basis", list(ROLE_WORDS))
def test_a_role_page_says_what_parity_counts(client, db_session, basis):
    """Each basis, 3 hours' session, 1 hour preparation and 1 of travel, neither marked as paid."""
    from remun.project_records.enums import PayBasis, RoleKind
    from remun.project_records.models import Project, Role, RoleGroup, RoleTerms

    start = __import__("datetime").date(2026, 1, 1)
    project = Project(name=f"Parity words {basis}", start_date=start)
    group = RoleGroup(project=project, name="Board")
    rate = Decimal("18") if basis in ("hour", "salary") else Decimal("90")
    role = Role(project=project, group=group, title="Member", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=start, basis=PayBasis(basis), rate=rate, session_hours=Decimal("3"),
                                prep_hours=Decimal("1"), travel_hours=Decimal("1")))
    clinical = Role(project=project, group=group, title="Clinician", kind=RoleKind.CLINICAL)
    clinical.terms.append(RoleTerms(effective_from=start, basis=PayBasis.SALARY, rate=Decimal("30"),
                                    session_hours=Decimal("3")))
    db_session.add(project)
    db_session.commit()

    page = text_of(client.get(f"/projects/{project.id}/roles/{role.id}"))
    preparation, sentence = ROLE_WORDS[basis]
    assert preparation in page
    assert sentence in page
    assert "not paid" not in page or basis == "hour"
    # The hourly rate the role page states is the one the parity page works with.
    parity = client.get(f"/projects/{project.id}/parity.json").get_json()
    member = next(r for g in parity["groups"] for r in g["roles"] if r["role"] == "Member")
    hourly = Decimal(member["effective_hourly_rate"])
    assert f"That is £{hourly:.2f} an hour." in page
    assert Decimal(member["hours_given"]) == Decimal("5")


def test_closing_a_month_defaults_to_the_last_complete_one_lists_what_is_open_and_goes_in_order(client, db_session):
    import datetime as dt

    from remun.ledger.models import ClosedPeriod
    from remun.ledger.month_end import last_complete_month
    from remun.project_records.models import Attendance, Meeting

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    today = dt.date.today()
    last = last_complete_month(today)
    before = last_complete_month(last)
    # The project's session moved into the month before last; one more session last month.
    meeting = db_session.scalar(select(Meeting).where(Meeting.project_id == project.id))
    meeting.date = before.replace(day=10)
    later = Meeting(project=project, date=last.replace(day=5), title="Later panel", hours=Decimal("3"))
    db_session.add(later)
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    db_session.add(Attendance(meeting=later, person=ann, role=meeting.attendances[0].role, hours=Decimal("3"),
                              prep_hours=Decimal("1")))
    db_session.commit()
    client.get(f"/projects/{project.id}/claims")  # attendance becomes claims, waiting for approval

    # Linked from Payments and Exports.
    assert "/finance/periods" in client.get(f"/projects/{project.id}/batches").get_data(as_text=True)
    assert "/finance/periods" in client.get("/exports/").get_data(as_text=True)

    page = client.get("/finance/periods").get_data(as_text=True)
    selected = re.search(r'<option value="([0-9-]+)" selected', page)
    assert selected and selected.group(1) == last.isoformat()
    assert f'value="{today.replace(day=1).isoformat()}"' not in page  # the unfinished month is not offered

    # Choosing a month leads to a confirmation, not a closing.
    response = client.post("/finance/periods", data={"month": last.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/finance/periods/{last:%Y-%m}")
    assert db_session.scalar(select(ClosedPeriod)) is None
    # The earlier month is open, so last month cannot close yet.
    confirm = text_of(client.get(response.headers["Location"]))
    assert "Months close in order" in confirm and f"close {before:%B %Y} first" in confirm
    client.post(response.headers["Location"])
    assert db_session.scalar(select(ClosedPeriod)) is None

    # The earlier month's confirmation lists what is still open in it.
    earlier = f"/finance/periods/{before:%Y-%m}"
    confirm = text_of(client.get(earlier))
    assert "2 claims are waiting for approval" in confirm  # Ann's time and fare (Dr Staff claims nothing)
    assert f"Close {before:%B %Y}" in confirm
    client.post(earlier)
    assert [row.month for row in db_session.scalars(select(ClosedPeriod))] == [before]
    # Now last month can close; the month still under way cannot.
    client.post(f"/finance/periods/{last:%Y-%m}")
    assert sorted(row.month for row in db_session.scalars(select(ClosedPeriod))) == [before, last]
    client.post(f"/finance/periods/{today:%Y-%m}")
    assert db_session.scalar(select(ClosedPeriod).where(ClosedPeriod.month == today.replace(day=1))) is None


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_rejecting_shows_whose_claim_which_session_and_how_much_and_receipts_sit_beside_claims(client, db_session, app):
    from remun.ledger.models import Claim, ClaimKind
    from remun.project_records.models import Expense
    from remun.reciprocity import receipts

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    client.get(f"/projects/{project.id}/claims")  # attendance becomes claims
    expense = db_session.scalar(select(Expense))
    receipt = receipts.store(db_session, expense, PNG, "image/png", "bus.png", app.instance_path, None)
    db_session.commit()

    page = client.get(f"/projects/{project.id}/claims").get_data(as_text=True)
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    link = f"/people/{ann.id}/receipts/{receipt.id}"
    assert link in page and "Open the receipt" in page
    opened = client.get(link)
    assert opened.status_code == 200 and opened.data == PNG
    opened.close()
    # Time claims say how they were paid, in words that fit an hourly rate.
    assert "4 hours paid at £20.00 an hour" in text_of(client.get(f"/projects/{project.id}/claims"))

    fare = db_session.scalar(select(Claim).where(Claim.kind == ClaimKind.EXPENSES))
    reject = text_of(client.get(f"/projects/{project.id}/claims/{fare.id}/reject"))
    for fact in ("Person Ann", "Session Panel", "For Expenses: Travel (Bus)", "Amount £6.40", "Open the receipt"):
        assert fact in reject
    assert "Reject this claim" in reject and "Confirm" not in reject


def test_the_statement_shows_a_split_s_shares_and_the_waiting_total_as_the_home_page_does(client, db_session, rate_book):
    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    choices.record_choice(db_session, ann, [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                            Part(Reciprocity.VOUCHERS, Decimal("50"), "Tesco")], user_id=None)
    ledger_claims.sync_claims(db_session, rate_book, project_id=project.id)
    db_session.commit()
    home = text_of(client.get(f"/people/{ann.id}/home"))
    statement = text_of(client.get(f"/people/{ann.id}/statement"))
    # Before approval: £86.40 waits to be checked, on both pages.
    assert "Waiting for your project lead to check £86.40" in home
    assert "Waiting for your project lead to check £86.40" in statement
    # The split's shares, as on the home page.
    assert "Payment by cheque: 50% (A cheque)" in statement and "Vouchers: 50% (Tesco)" in statement
    assert "Payment by cheque: 50%" in home

    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    statement = text_of(client.get(f"/people/{ann.id}/statement"))
    assert "Waiting for your project lead to check £0.00" in statement
    # Each claim says where its shares are: half the time by cheque (in a batch, waiting), half as vouchers.
    assert "Payment by cheque: £40.00 (waiting) Vouchers: £40.00 (waiting)" in statement


def test_a_successful_import_shows_one_summary_banner(client, db_session):
    from tests.helpers.workbooks import good_sheets, workbook

    response = client.post("/import/", data={"workbook": (workbook(good_sheets()), "project.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html.count('data-module="govuk-notification-banner"') == 1
    banner = html[html.index("govuk-notification-banner"):html.index("</ul>", html.index("govuk-notification-banner"))]
    assert "added." in banner and banner.count("<li>") >= 3  # roles, people, sessions… one line each


def test_counts_are_worded_for_one_and_for_many(client, db_session, rate_book):
    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    choices.record_choice(db_session, ann, [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                            Part(Reciprocity.VOUCHERS, Decimal("50"), "Tesco")], user_id=None)
    ledger_claims.sync_claims(db_session, rate_book, project_id=project.id)
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    page = text_of(client.get(f"/projects/{project.id}/batches"))
    assert "Shared between ways, as people chose: 1 claim " in page and "1 claims" not in page
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    batch = db_session.scalar(select(PaymentBatch))
    assert "£46.40 to 1 payee," in text_of(client.get(f"/projects/{project.id}/batches/{batch.id}"))


def test_the_close_month_command_closes_months_in_order_too(app, db_session):
    import datetime as dt

    from remun.cli import ledger as cli_ledger
    from remun.ledger.models import ClosedPeriod
    from remun.ledger.month_end import last_complete_month
    from remun.project_records.models import Meeting, Project

    last = last_complete_month(dt.date.today())
    before = last_complete_month(last)
    project = Project(name="Command months")
    db_session.add_all([project, Meeting(project=project, date=before.replace(day=3), title="Early", hours=Decimal("2"))])
    db_session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(cli_ledger.close_month, [f"{last:%Y-%m}"])
    assert refused.exit_code == 1 and f"Close {before:%B %Y} first" in refused.output
    assert db_session.scalar(select(ClosedPeriod)) is None
    assert runner.invoke(cli_ledger.close_month, [f"{before:%Y-%m}"]).exit_code == 0
    assert runner.invoke(cli_ledger.close_month, [f"{last:%Y-%m}"]).exit_code == 0
    assert sorted(row.month for row in db_session.scalars(select(ClosedPeriod))) == [before, last]
