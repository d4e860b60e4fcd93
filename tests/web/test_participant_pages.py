"""The participant's pages through the app: choosing (incl. a split), receipts checked, the benefits
answer private and audited without its value, and leads and finance seeing choices but not benefits."""

from __future__ import annotations

import io
from decimal import Decimal

from sqlalchemy import select

from remun.accounts.models import AuditEvent
from remun.project_records.enums import Reciprocity
from remun.ledger.models import Claim
from remun.project_records.models import Attendance
from remun.reciprocity import choices
from remun.reciprocity.models import BenefitsAnswer, Receipt
from tests.helpers.pages import PNG


def test_choosing_a_donation_needs_the_charity_then_saves(client_for, setup, db_session):
    person, client = setup["person"], client_for(setup["user"])
    assert client.get(f"/people/{person.id}/thanks").status_code == 200
    assert client.post(f"/people/{person.id}/thanks", data={"option": "donation"}).headers["Location"].endswith(
        f"/people/{person.id}/thanks/donation")
    page = client.post(f"/people/{person.id}/thanks/donation", data={"detail": ""}).get_data(as_text=True)
    assert "There is a problem" in page and "Enter the charity" in page
    assert choices.history(db_session, person.id) == []  # nothing half-saved
    assert client.post(f"/people/{person.id}/thanks/donation", data={"detail": "SAMH"}).status_code == 302
    current = choices.current_choice(db_session, person)
    assert (current.summary, current.parts[0].detail) == (Reciprocity.DONATION, "SAMH")


def test_a_split_must_add_up_to_100(client_for, setup, db_session):
    person, client = setup["person"], client_for(setup["user"])
    address = f"/people/{person.id}/thanks/split-by-percentage"
    page = client.post(address, data={"percent_bank_transfer": "60", "percent_vouchers": "30",
                                      "voucher_provider": "Tesco"}).get_data(as_text=True)
    assert "must add up to 100" in page
    assert client.post(address, data={"percent_bank_transfer": "70", "percent_vouchers": "30",
                                      "voucher_provider": "Tesco"}).status_code == 302
    current = choices.current_choice(db_session, person)
    assert [(part.method, part.percent) for part in current.parts] == [
        (Reciprocity.BANK_TRANSFER, Decimal("70")), (Reciprocity.VOUCHERS, Decimal("30"))]


def test_submitting_a_session_makes_claims_for_the_lead_with_the_receipt(client_for, setup, db_session):
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    address = f"/people/{person.id}/sessions/{meeting.id}"
    # A file that says it is a PNG but is not one is refused, and nothing is saved.
    page = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(b"MZ not an image"), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "must be a PNG or JPEG photo, or a PDF" in page
    assert db_session.scalar(select(Attendance).where(Attendance.person_id == person.id)) is None
    response = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                          "receipt": (io.BytesIO(PNG), "ticket.png", "image/png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    found = db_session.scalars(select(Claim).where(Claim.person_id == person.id).order_by(Claim.kind)).all()
    assert [(claim.kind.value, claim.amount, claim.status.value) for claim in found] == [
        ("expenses", Decimal("5.20"), "submitted"), ("time", Decimal("90.00"), "submitted")]
    receipt = db_session.scalar(select(Receipt))
    assert receipt.content_type == "image/png"
    lead = client_for(setup["lead"])
    assert "Panel" in lead.get(f"/projects/{setup['project'].id}/claims").get_data(as_text=True)
    thanks_page = lead.get(f"/projects/{setup['project'].id}/thanks").get_data(as_text=True)
    assert f"/people/{person.id}/receipts/{receipt.id}" in thanks_page  # the lead can check it before approving
    download = lead.get(f"/people/{person.id}/receipts/{receipt.id}")
    assert download.status_code == 200 and download.data == PNG
    download.close()
    # The session is recorded now, so it cannot be sent twice.
    assert client.get(address).status_code == 302


def test_benefits_answer_is_private_and_its_value_never_audited(client_for, setup, db_session, finance_user):
    person, client = setup["person"], client_for(setup["user"])
    assert client.post(f"/people/{person.id}/benefits", data={"receives": "yes"}).status_code == 302
    assert db_session.get(BenefitsAnswer, person.id).receives_benefits is True
    client.post(f"/people/{person.id}/benefits", data={"receives": "no"})
    client.post(f"/people/{person.id}/benefits", data={"receives": "no"})  # no change: no event
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "benefits.answered")).all()
    assert len(events) == 2 and all(event.detail is None for event in events)
    page = client.get(f"/people/{person.id}/benefits/information").get_data(as_text=True)
    assert "You told us you do not receive benefits" in page
    page = client.get(f"/people/{person.id}/benefits/information?period_day=15").get_data(as_text=True)
    assert "Assessment period" in page
    assert "Enter a day of the month from 1 to 31" in client.get(
        f"/people/{person.id}/benefits/information?period_day=40").get_data(as_text=True)
    for other in (setup["lead"], finance_user):
        assert client_for(other).get(f"/people/{person.id}/benefits/information").status_code == 403
    project_page = client_for(setup["lead"]).get(f"/projects/{setup['project'].id}").get_data(as_text=True)
    assert f"/projects/{setup['project'].id}/thanks" in project_page  # reached from the project page
    overview = client_for(setup["lead"]).get(f"/projects/{setup['project'].id}/thanks").get_data(as_text=True)
    assert person.name in overview and "receive benefits" not in overview


def test_a_lead_can_record_a_choice_they_were_told_and_their_look_is_audited(client_for, setup, db_session):
    person, lead = setup["person"], client_for(setup["lead"])
    page = lead.get(f"/people/{person.id}/home").get_data(as_text=True)
    assert "You have not chosen yet" in page
    recording_for = "You are recording this for"
    assert recording_for in lead.get(f"/people/{person.id}/thanks").get_data(as_text=True)
    assert recording_for not in client_for(setup["user"]).get(f"/people/{person.id}/thanks").get_data(as_text=True)
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "person.viewed",
                                                      AuditEvent.object_id == str(person.id))) is not None
    assert lead.post(f"/people/{person.id}/thanks/no_bank", data={"way": "cheque"}).status_code == 302
    choice = choices.history(db_session, person.id)[0]
    assert (choice.summary, choice.parts[0].detail, choice.chosen_by_id) == (
        Reciprocity.CHEQUE, "A cheque", setup["lead"].id)
    # The person's own home is not audited as someone else's look.
    client_for(setup["user"]).get(f"/people/{person.id}/home")
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "person.viewed",
                                                           AuditEvent.object_id == str(person.id))).all()) == 1
