"""Papers a participant needs: the letter for a benefits adviser, in the person's language, and the year-end
statement, opened by the person or their lead, printable on A4. Worked example as in tests/papers/test_tax_year.py."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from remun.project_records.enums import Reciprocity
from remun.ledger import claims, settlement
from remun.project_records.models import Person
from remun.papers.statements import benefits_letter
from tests.helpers.ledger import build_project


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


def _paid_project(session, rate_book, today):
    project = build_project(session, {"Ann": Reciprocity.BANK_TRANSFER})
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None,
                   posted_on=today - dt.timedelta(days=10))
    batch = settlement.create_batch(session, project.id, user_id=None)
    settlement.mark_paid(session, batch.id, user_id=None, posted_on=today - dt.timedelta(days=3))
    session.flush()
    return project, session.query(Person).filter_by(name="Ann").one()


def test_the_letter_says_what_was_paid_when_what_is_expected_and_the_hours(session, rate_book):
    today = dt.date.today()
    _project, ann = _paid_project(session, rate_book, today)
    letter = benefits_letter(session, ann, organisation="Lothian Mental Health Network", contact="lead@example.org")
    assert [role.title for role in letter.roles] == ["Panel member"]
    (paid,) = letter.paid
    assert (paid.day, paid.income.money, len(paid.sessions)) == (today - dt.timedelta(days=3), Decimal("80.00"), 1)
    assert letter.expenses_repaid == Decimal("6.40") and letter.expected == []
    assert letter.hours_total == Decimal("4.00")  # 3 hours and 1 hour of preparation


def test_the_person_and_their_lead_open_the_letter_in_the_persons_language(app, client_for, db_session, rate_book,
                                                                           make_user):
    from remun.organisation.settings import change_setting

    today = dt.date.today()
    project, ann = _paid_project(db_session, rate_book, today)
    change_setting(db_session, "letters.organisation_name", "Lothian Mental Health Network", by_user_id=None)
    db_session.commit()
    lead_user = make_user("lead", email="lead@example.org", projects=[project])
    participant = make_user("participant", email="ann@example.org", person=ann)
    text = _text(client_for(participant).get(f"/people/{ann.id}/letters/benefits-adviser"))
    assert "These are involvement payments, not wages" in text and "Ann is not employed by us" in text
    assert "Lothian Mental Health Network" in text and "£80.00" in text and "Expenses repaid" in text
    assert lead_user.email in text  # the contact, when none is set: the person's project lead
    assert 'papers.css' in client_for(lead_user).get(f"/people/{ann.id}/letters/benefits-adviser").get_data(as_text=True)
    # In the person's language, whoever opens it.
    ann.preferred_language = "pl"
    db_session.commit()
    polish = _text(client_for(lead_user).get(f"/people/{ann.id}/letters/benefits-adviser"))
    assert "These are involvement payments, not wages" not in polish
    # The year-end statement, linked from their home page for each tax year.
    ann.preferred_language = "en"
    db_session.commit()
    home = client_for(participant).get(f"/people/{ann.id}/home").get_data(as_text=True)
    from remun.papers.tax_year import tax_year_of
    year = tax_year_of(today - dt.timedelta(days=3))
    assert f"/people/{ann.id}/tax-years/{year}/statement" in home
    statement = _text(client_for(participant).get(f"/people/{ann.id}/tax-years/{year}/statement"))
    assert "Income in this tax year £80.00" in statement and "Expenses paid back to you (not income) £6.40" in statement
    assert "£1,000 trading allowance" in statement


def test_the_benefits_page_warns_when_one_payment_brings_in_earlier_sessions(app, client_for, db_session, rate_book,
                                                                            make_user):
    """Two sessions, one 40 days before this month began, paid together today: the page says so and links the letter."""
    from remun.project_records.models import Attendance, Meeting

    project = build_project(db_session, {"Ann": Reciprocity.BANK_TRANSFER})
    ann = db_session.query(Person).filter_by(name="Ann").one()
    role = project.roles[0]
    earlier = Meeting(project=project, date=project.start_date - dt.timedelta(days=40), title="Earlier", hours=Decimal("3"))
    db_session.add(earlier)
    db_session.add(Attendance(meeting=earlier, person=ann, role=role, hours=Decimal("12"), prep_hours=Decimal("3"),
                              travel_hours=Decimal("1")))
    db_session.flush()
    claims.sync_claims(db_session, rate_book, project_id=project.id)
    claims.approve(db_session, [c.id for c in claims.claims_waiting(db_session, project.id)], user_id=None)
    settlement.mark_paid(db_session, settlement.create_batch(db_session, project.id, user_id=None).id, user_id=None)
    db_session.commit()
    participant = make_user("participant", email="ann@example.org", person=ann)
    text = _text(client_for(participant).get(f"/people/{ann.id}/benefits/information?day={earlier.date.isoformat()}"))
    # By payment date nothing was received in the week of the earlier session, though 16 hours were recorded.
    assert "You have 16 hours recorded in the week" in text
    text = _text(client_for(participant).get(f"/people/{ann.id}/benefits/information"))
    assert "One payment on" in text and "brings 2 sessions into this period" in text
    assert "pay you after each session instead" in text
    assert f"/people/{ann.id}/letters/benefits-adviser" in client_for(participant).get(
        f"/people/{ann.id}/benefits/information").get_data(as_text=True)
