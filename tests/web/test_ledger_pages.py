"""The ledger used through its pages, as a lead and finance would: attendance to paid."""

from __future__ import annotations


from sqlalchemy import func, select

from remun.project_records.enums import Reciprocity
from remun.ledger.models import Claim, ClaimStatus, LedgerTransaction, PaymentBatch
from remun.project_records.models import Attendance, Person
from tests.helpers.ledger import build_project
from tests.helpers.pages import text_of  # noqa: F401  (fixtures too)


def test_attendance_to_paid_through_the_pages(client, db_session):
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER, "Bea": Reciprocity.VOUCHERS})
    db_session.commit()

    page = text_of(client.get(f"/projects/{project.id}/claims"))
    assert "Waiting for approval" in page and "Approve all 4" in page  # time and expenses for each

    response = client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    assert response.status_code == 302
    assert "4 claims approved" in text_of(client.get(response.headers["Location"]))
    # A second click approves nothing more.
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    assert db_session.scalar(select(func.count(LedgerTransaction.id))) == 4

    response = client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    batch = db_session.scalar(select(PaymentBatch))
    assert (batch.total, batch.payees) == (__import__("decimal").Decimal("92.80"), 2)  # Ann £86.40, Bea £6.40 expenses
    page = text_of(client.get(f"/projects/{project.id}/batches/{batch.id}"))
    assert "£92.80 to 2 payees" in page and "Mark as paid" in page
    client.post(f"/projects/{project.id}/batches/{batch.id}")
    again = client.post(f"/projects/{project.id}/batches/{batch.id}")
    assert "already marked as paid" in text_of(client.get(again.headers["Location"]))
    client.post(f"/projects/{project.id}/batches", data={"action": "settle"})

    ledger = text_of(client.get(f"/projects/{project.id}/ledger"))
    assert "Project cost £172.80" in ledger
    bea = db_session.scalar(select(Person).where(Person.name == "Bea"))
    statement = text_of(client.get(f"/people/{bea.id}/statement"))
    assert "Given as vouchers, training or a donation £80.00" in statement
    assert "Paid to you £6.40" in statement
    filtered = text_of(client.get(f"/projects/{project.id}/ledger?person={bea.id}&account=vouchers"))
    assert "1 entry" in filtered


def test_rejecting_asks_for_a_reason_the_person_sees(client, db_session):
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    client.get(f"/projects/{project.id}/claims")  # attendance becomes claims
    claim = db_session.scalar(select(Claim).order_by(Claim.id))
    url = f"/projects/{project.id}/claims/{claim.id}/reject"
    assert "Enter a reason" in client.post(url, data={"reason": ""}).get_data(as_text=True)
    client.post(url, data={"reason": "The session was cancelled."})
    db_session.refresh(claim)
    assert claim.status == ClaimStatus.REJECTED
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    assert "Reason: The session was cancelled." in text_of(client.get(f"/people/{ann.id}/statement"))


def test_approved_attendance_is_locked_until_reversed(client, db_session):
    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN})
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    attendance = db_session.scalar(select(Attendance).join(Person).where(Person.name == "Ann"))
    base = f"/projects/{project.id}/sessions/{attendance.meeting_id}/attendance/{attendance.id}"
    response = client.get(base + "/edit")
    assert response.status_code == 302
    assert "approved for payment" in text_of(client.get(response.headers["Location"]))
    assert "approved for payment" in text_of(client.get(base + "/delete"))
    time_claim = db_session.scalar(select(Claim).where(Claim.attendance_id == attendance.id, Claim.kind == "time"))
    client.post(f"/projects/{project.id}/claims/{time_claim.id}/reverse", data={"reason": "Wrong hours"})
    expenses = db_session.scalar(select(Claim).where(Claim.attendance_id == attendance.id, Claim.kind == "expenses"))
    client.post(f"/projects/{project.id}/claims/{expenses.id}/reverse", data={"reason": "Wrong hours"})
    assert client.get(base + "/edit").status_code == 200


def test_closing_a_month(client, db_session):
    page = client.get("/finance/periods")
    assert page.status_code == 200
    import datetime as dt

    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
    response = client.post("/finance/periods", data={"month": month})
    assert response.status_code == 302
    confirm = client.post(response.headers["Location"])
    assert "is closed" in text_of(client.get(confirm.headers["Location"]))


def test_the_batches_page_counts_money_from_splits_and_every_way_of_paying(client, db_session, rate_book):
    from decimal import Decimal

    from remun.ledger import claims
    from remun.reciprocity import choices
    from remun.reciprocity.choices import Part

    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN, "Cal": Reciprocity.NOT_CHOSEN})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    cal = db_session.scalar(select(Person).where(Person.name == "Cal"))
    # Ann: half paid by cheque, half vouchers; Cal: paid by payment card.
    choices.record_choice(db_session, ann, [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                            Part(Reciprocity.VOUCHERS, Decimal("50"), "Tesco")], user_id=None)
    choices.record_choice(db_session, cal, [Part(Reciprocity.PAYMENT_CARD, Decimal("100"), "A payment card")], user_id=None)
    claims.sync_claims(db_session, rate_book, project_id=project.id)
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})

    page = text_of(client.get(f"/projects/{project.id}/batches"))
    # Each has £80.00 of time and £6.40 expenses: Ann £40.00 + £6.40 as money, Cal £86.40.
    assert "card, cheque or to someone else): 4 claims, £132.80" in page
    assert "Shared between ways, as people chose: 1 claim" in page and "1 claims" not in page
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    assert db_session.scalar(select(PaymentBatch)).total == Decimal("132.80")


def test_the_statement_and_home_show_the_money_as_a_picture_with_the_numbers(client, db_session, rate_book):
    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    for page in (client.get(f"/people/{ann.id}/statement"), client.get(f"/people/{ann.id}/home")):
        html = page.get_data(as_text=True)
        picture = html[html.index('<figure class="remun-chart"'):html.index("</figure>")]
        # A picture with a text alternative, and the amount written beside its bar.
        assert 'role="img"' in picture and "<title" in picture and "<desc" in picture
        assert "Owed to you now" in picture and "£86.40" in picture
