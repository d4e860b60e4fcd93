"""A participant's session form (issue 16): receipts kept after an error, empty files refused, accept listed,
blank hours taken as the role's usual; and sessions not in the list told to the lead."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from sqlalchemy import select

from remun.models import Attendance
from remun.reciprocity.models import Receipt
from tests.test_participant_pages import PNG, setup  # noqa: F401  (the fixture)


def test_a_receipt_chosen_before_an_error_is_kept_and_an_empty_one_is_refused(client_for, setup, db_session):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    address = f"/people/{person.id}/sessions/{meeting.id}"
    form = client.get(address).get_data(as_text=True)
    assert re.search(r'type="file"[^>]*accept="[^"]*image/png[^"]*application/pdf', form) or \
        re.search(r'accept="[^"]*image/png[^"]*application/pdf[^"]*"[^>]*type="file"', form)

    # An empty file is refused with a message, and nothing is saved.
    page = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(b""), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "The receipt file is empty" in page
    assert db_session.scalar(select(Attendance).where(Attendance.person_id == person.id)) is None

    # A good receipt with a mistake elsewhere: the page says it is kept, and sending again saves it.
    page = client.post(address, data={"hours": "three", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(PNG), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Enter a number" in page and "ticket.png is kept: you do not need to choose it again" in page
    token = re.search(r'name="kept_receipt" value="([0-9a-f]+)"', page).group(1)
    response = client.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                                          "kept_receipt": token}, content_type="multipart/form-data")
    assert response.status_code == 302
    receipt = db_session.scalar(select(Receipt))
    assert receipt is not None and receipt.original_name == "ticket.png" and receipt.size == len(PNG)


def test_someone_else_s_kept_receipt_cannot_be_used(client_for, setup, db_session, make_user):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    address = f"/people/{person.id}/sessions/{meeting.id}"
    page = client.post(address, data={"hours": "x", "expense_amount": "5.20", "expense_category": "travel",
                                      "receipt": (io.BytesIO(PNG), "ticket.png", "image/png")},
                       content_type="multipart/form-data").get_data(as_text=True)
    token = re.search(r'name="kept_receipt" value="([0-9a-f]+)"', page).group(1)
    # Another browser (another sign-in) sending the token gets nothing from it.
    other = client_for(setup["user"])
    other.post(address, data={"hours": "3", "expense_amount": "5.20", "expense_category": "travel",
                              "kept_receipt": token}, content_type="multipart/form-data")
    assert db_session.scalar(select(Receipt)) is None


def test_blank_preparation_is_the_role_s_usual(client_for, setup, db_session):  # noqa: F811
    person, meeting, client = setup["person"], setup["meeting"], client_for(setup["user"])
    terms = setup["project"].roles[0].terms[0]
    terms.prep_hours, terms.travel_hours = Decimal("1"), Decimal("0.5")
    db_session.commit()
    client.post(f"/people/{person.id}/sessions/{meeting.id}", data={"hours": "3", "prep_hours": "", "travel_hours": "0",
                                                                   "expense_category": "travel"})
    attendance = db_session.scalar(select(Attendance).where(Attendance.person_id == person.id))
    assert (attendance.prep_hours, attendance.travel_hours) == (Decimal("1"), Decimal("0"))
