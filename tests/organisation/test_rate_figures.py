"""An organisation's own figures: laid over the cards, and never changed under an approved claim."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from remun.project_records.enums import PayBasis, RoleKind
from remun.ledger import claims
from remun.ledger.models import Claim, ClaimKind
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleGroup, RoleTerms
from remun.organisation.rate_figures import FigureRefused, add_figure, book_in_use, end_figure, withdraw_figure
from tests.helpers.rate_figures import TEST_SOURCE

#: TEST FIGURES, not published rates: nothing in rates/ is made up.
SESSION_DAY = dt.date(2026, 11, 10)


def _paid_at_living_wage(session) -> Attendance:
    project = Project(name="Figures test", start_date=dt.date(2026, 4, 1))
    role = Role(project=project, group=RoleGroup(project=project, name="Panel"), title="Panel member",
                kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=project.start_date, basis=PayBasis.HOUR, rate_card_ref="real-living-wage/uk",
                                session_hours=Decimal("2")))
    person = Person(name="Ali")
    meeting = Meeting(project=project, date=SESSION_DAY, title="Panel", hours=Decimal("2"))
    attendance = Attendance(meeting=meeting, person=person, role=role, hours=Decimal("2"))
    session.add_all([project, person, meeting, Appointment(person=person, role=role, start_date=project.start_date),
                     attendance])
    session.flush()
    return attendance


def test_a_figure_used_by_an_approved_claim_is_never_changed_under_it(session, rate_book):
    attendance = _paid_at_living_wage(session)
    figure = add_figure(session, rate_book, "real-living-wage/uk", "20.00", dt.date(2026, 10, 21), TEST_SOURCE,
                        note="TEST FIGURE")
    book = book_in_use(session, rate_book)
    claims.sync_claims(session, book, attendance_ids=[attendance.id])
    claim = session.query(Claim).filter_by(attendance_id=attendance.id, kind=ClaimKind.TIME).one()
    assert claim.rate == Decimal("20.00") and claim.amount == Decimal("40.00")
    claims.approve(session, [claim.id], user_id=None)

    with pytest.raises(FigureRefused) as refused:
        withdraw_figure(session, figure)
    assert refused.value.reason == "used" and refused.value.claims == 1
    with pytest.raises(FigureRefused) as refused:
        end_figure(session, figure, dt.date(2026, 11, 9))
    assert refused.value.reason == "used_after"
    end_figure(session, figure, SESSION_DAY)  # the claim's day is still covered
    assert figure.effective_to == SESSION_DAY

    # A later figure for the same days changes what new claims use, never the approved one.
    add_figure(session, rate_book, "real-living-wage/uk", "30.00", dt.date(2026, 11, 1), TEST_SOURCE, note="TEST FIGURE")
    later = book_in_use(session, rate_book)
    assert later.lookup("real-living-wage/uk", SESSION_DAY).amount == Decimal("30.00")
    claims.sync_claims(session, later, attendance_ids=[attendance.id])
    session.refresh(claim)
    assert claim.rate == Decimal("20.00") and claim.amount == Decimal("40.00")


def test_a_withdrawn_figure_applies_on_no_day(session, rate_book):
    figure = add_figure(session, rate_book, "real-living-wage/uk", "20.00", dt.date(2026, 10, 21), TEST_SOURCE,
                        note="TEST FIGURE")
    assert book_in_use(session, rate_book).lookup("real-living-wage/uk", SESSION_DAY).figure_id == figure.id
    withdraw_figure(session, figure)
    assert book_in_use(session, rate_book).lookup("real-living-wage/uk", SESSION_DAY).amount == Decimal("13.45")
