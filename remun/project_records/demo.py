"""The demo project: a realistic co-produced service redesign to explore Remun with.

Two steps, so the demo can be tested without a database (its names and data shapes are in
remun/project_records/demo_data.py, building the plan in remun/project_records/demo_plan.py, writing it here):

* ``demo_plan(today)`` builds the whole project as plain, frozen data. It is a
  pure function: the same ``today`` always gives the same plan (the pattern of
  who came, preparation and expenses comes from ``random.Random(2026)``, never
  from real randomness).
* ``load_demo(session, rate_book, today)`` writes that plan with SQLAlchemy and
  flushes; the caller commits. If the project is already there it is returned
  untouched.

Every date is worked out from ``today`` so the demo always looks current: the
project starts on the first day of the month six months before this one and
ends on the last day of this month. Sessions later than ``today`` are planned
but have no attendance yet.

The project shows what Remun is for: a lived-experience co-chair paid a flat
fee, with preparation and travel unpaid, next to a clinical co-chair whose
salary covers every hour; panel members paid the NIHR involvement rate next to a
service manager on salary; focus group contributors given a £20 voucher for an
afternoon (below the Real Living Wage); and a carer representative with no
professional doing the same job, so no comparator. Names are fictional.

No Flask here: the CLI and the web app both call ``load_demo``.
"""


from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.project_records.demo_data import (
    DEMO_PROJECT_NAME,
    DemoPlan,
    PlannedAppointment,
    PlannedAttendance,
    PlannedExpense,
    PlannedGroup,
    PlannedMeeting,
    PlannedPerson,
    PlannedRole,
    PlannedTerms,
)
from remun.project_records.demo_plan import demo_plan
from remun.project_records.models import (
    Appointment,
    Attendance,
    Expense,
    Meeting,
    Person,
    Project,
    Role,
    RoleGroup,
    RoleTerms,
)
from remun.pay.terms import terms_of
from remun.pay.rate_cards import RateBook
from remun.project_records.rules import check_rate_card


__all__ = [
    "DEMO_PROJECT_NAME",
    "DemoPlan",
    "PlannedAppointment",
    "PlannedAttendance",
    "PlannedExpense",
    "PlannedGroup",
    "PlannedMeeting",
    "PlannedPerson",
    "PlannedRole",
    "PlannedTerms",
    "demo_plan",
    "load_demo",
]

# --- writing the plan ---------------------------------------------------------------


def load_demo(session: Session, rate_book: RateBook, today: dt.date | None = None) -> Project:
    """Create the demo project and flush (the caller commits); return it.

    If a project of the demo's name already exists it is returned untouched.
    People are matched by email, so someone left over from an earlier demo is
    reused rather than duplicated. Raises ``records.RateCardProblem`` if a
    rate card the demo points at is missing from ``rate_book`` or in the
    wrong unit.
    """
    existing = session.scalar(select(Project).where(Project.name == DEMO_PROJECT_NAME))
    if existing is not None:
        return existing

    plan = demo_plan(today or dt.date.today())
    for role in plan.roles:
        for terms in role.terms:
            if terms.rate_card_ref is not None:
                check_rate_card(rate_book, terms.basis, terms.rate_card_ref)

    project = Project(
        name=plan.name,
        cost_centre=plan.cost_centre,
        currency=plan.currency,
        start_date=plan.start_date,
        end_date=plan.end_date,
    )
    groups = {g.name: RoleGroup(name=g.name, description=g.description) for g in plan.groups}
    project.groups = list(groups.values())

    roles: dict[str, Role] = {}
    for planned in plan.roles:
        role = Role(
            title=planned.title,
            kind=planned.kind,
            group=groups[planned.group] if planned.group else None,
            terms=[
                RoleTerms(effective_from=t.effective_from, **terms_of(t))
                for t in planned.terms
            ],
        )
        roles[planned.title] = role
    project.roles = list(roles.values())

    meetings = {m.key: Meeting(date=m.date, title=m.title, hours=m.hours) for m in plan.meetings}
    project.meetings = list(meetings.values())
    session.add(project)

    emails = [p.email for p in plan.people]
    people = {p.email: p for p in session.scalars(select(Person).where(Person.email.in_(emails)))}
    for planned in plan.people:
        if planned.email not in people:
            person = Person(
                name=planned.name,
                email=planned.email,
                preferred_language=planned.preferred_language,
                payee_reference=planned.payee_reference,
                reciprocity=planned.reciprocity,
            )
            session.add(person)
            people[planned.email] = person

    for appointment in plan.appointments:
        session.add(
            Appointment(
                person=people[appointment.person],
                role=roles[appointment.role],
                start_date=appointment.start_date,
                end_date=appointment.end_date,
            )
        )

    for planned in plan.attendances:
        session.add(
            Attendance(
                meeting=meetings[planned.meeting],
                person=people[planned.person],
                role=roles[planned.role],
                hours=planned.hours,
                prep_hours=planned.prep_hours,
                travel_hours=planned.travel_hours,
                expenses=[
                    Expense(amount=e.amount, category=e.category, note=e.note) for e in planned.expenses
                ],
            )
        )

    session.flush()
    # Which roles each session is for, so people are offered only their own roles' sessions.
    from remun.sessions.models import MeetingRole

    for planned in plan.meetings:
        for title in planned.roles:
            if title in roles:
                session.add(MeetingRole(meeting_id=meetings[planned.key].id, role_id=roles[title].id))
    session.flush()
    return project
