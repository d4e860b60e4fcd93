"""The demo project: a realistic co-produced service redesign to explore Remun with.

Two steps, so the demo can be tested without a database:

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

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.models import (
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
from remun.rates import RateBook
from remun.records import check_rate_card

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

DEMO_PROJECT_NAME = "Community Mental Health Service Redesign"
SEED = 2026

D = Decimal

# Role titles, used more than once below.
LE_CO_CHAIR = "Lived experience co-chair"
CLINICAL_CO_CHAIR = "Clinical co-chair"
PANEL_MEMBER = "Lived experience panel member"
STAFF_PANEL_MEMBER = "Staff panel member"
PEER_RESEARCHER = "Peer researcher"
RESEARCH_ASSISTANT = "Research assistant"
FOCUS_GROUP_CONTRIBUTOR = "Focus group contributor"
STAFF_FOCUS_GROUP_CONTRIBUTOR = "Staff focus group contributor"
CARER_REPRESENTATIVE = "Carer representative"

# Session titles.
STEERING_GROUP = "Steering group"
PANEL = "Lived experience panel"
WORKSHOP_TITLES = (
    "Peer research workshop: shaping the interview questions",
    "Peer research workshop: interviewing practice",
    "Peer research workshop: making sense of what we heard",
    "Peer research workshop: writing up the findings",
)
FOCUS_GROUP_TITLES = (
    "Focus group: getting help in a crisis",
    "Focus group: leaving hospital",
    "Focus group: support closer to home",
)


# --- the plan as plain data -------------------------------------------------------


@dataclass(frozen=True)
class PlannedGroup:
    name: str
    description: str


@dataclass(frozen=True)
class PlannedTerms:
    effective_from: dt.date
    basis: PayBasis
    rate: Decimal | None
    rate_card_ref: str | None
    session_hours: Decimal
    prep_hours: Decimal
    prep_paid: bool
    travel_hours: Decimal
    travel_paid: bool


@dataclass(frozen=True)
class PlannedRole:
    title: str
    kind: RoleKind
    group: str | None
    terms: tuple[PlannedTerms, ...]  # in date order

    def terms_on(self, day: dt.date) -> PlannedTerms:
        in_force = self.terms[0]
        for terms in self.terms:
            if terms.effective_from <= day:
                in_force = terms
        return in_force


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    email: str
    preferred_language: str
    payee_reference: str | None
    reciprocity: Reciprocity


@dataclass(frozen=True)
class PlannedAppointment:
    person: str  # the person's email
    role: str  # the role's title
    start_date: dt.date
    end_date: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class PlannedMeeting:
    date: dt.date
    title: str
    hours: Decimal
    roles: tuple[str, ...]  # the role titles invited

    @property
    def key(self) -> tuple[dt.date, str]:
        return (self.date, self.title)


@dataclass(frozen=True)
class PlannedExpense:
    amount: Decimal
    category: ExpenseCategory
    note: str


@dataclass(frozen=True)
class PlannedAttendance:
    meeting: tuple[dt.date, str]  # PlannedMeeting.key
    person: str  # email
    role: str  # title
    hours: Decimal
    prep_hours: Decimal
    travel_hours: Decimal
    expenses: tuple[PlannedExpense, ...] = ()


@dataclass(frozen=True)
class DemoPlan:
    name: str
    cost_centre: str
    currency: str
    start_date: dt.date
    end_date: dt.date
    groups: tuple[PlannedGroup, ...]
    roles: tuple[PlannedRole, ...]
    people: tuple[PlannedPerson, ...]
    appointments: tuple[PlannedAppointment, ...]
    meetings: tuple[PlannedMeeting, ...]
    attendances: tuple[PlannedAttendance, ...]

    def role(self, title: str) -> PlannedRole:
        return next(role for role in self.roles if role.title == title)

    def role_on(self, person: str, day: dt.date) -> str | None:
        """The title of the role a person (by email) held on a day, or None."""
        held = {a.role for a in self.appointments if a.person == person and a.covers(day)}
        if len(held) > 1:  # the plan never does this; records.role_on would refuse it
            raise ValueError(f"{person} holds {len(held)} roles on {day}")
        return held.pop() if held else None


# --- dates --------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _nth_weekday(first: dt.date, weekday: int, n: int) -> dt.date:
    """The ``n``-th ``weekday`` (Monday is 0) of the month that starts on ``first``."""
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


MONDAY, TUESDAY, WEDNESDAY, THURSDAY = 0, 1, 2, 3


# --- building the plan -----------------------------------------------------------------


def _terms(
    effective_from: dt.date,
    basis: PayBasis,
    *,
    rate: str | None = None,
    card: str | None = None,
    session: str,
    prep: str = "0",
    prep_paid: bool = False,
    travel: str = "0",
    travel_paid: bool = False,
) -> PlannedTerms:
    return PlannedTerms(
        effective_from=effective_from,
        basis=basis,
        rate=None if rate is None else D(rate),
        rate_card_ref=card,
        session_hours=D(session),
        prep_hours=D(prep),
        prep_paid=prep_paid,
        travel_hours=D(travel),
        travel_paid=travel_paid,
    )


def _groups() -> tuple[PlannedGroup, ...]:
    return (
        PlannedGroup(
            "Co-chair",
            "Chairs the steering group together: sets agendas, reads the papers, "
            "leads the meeting and follows up actions.",
        ),
        PlannedGroup(
            "Lived experience panel member",
            "Sits on the fortnightly panel that reviews each part of the redesign.",
        ),
        PlannedGroup(
            "Researcher",
            "Plans and runs interviews with people who use the service, and makes sense of them.",
        ),
        PlannedGroup(
            "Focus group contributor",
            "Gives views in a two-hour focus group on one part of the service.",
        ),
        PlannedGroup(
            "Carer representative",
            "Brings the view of families and unpaid carers to the steering group. "
            "No member of staff does this job, so there is no comparator.",
        ),
    )


def _roles(start: dt.date) -> tuple[PlannedRole, ...]:
    fee_rise = _add_months(start, 3)  # the co-chair's fee rises from month four
    return (
        PlannedRole(
            LE_CO_CHAIR,
            RoleKind.LIVED_EXPERIENCE,
            "Co-chair",
            (
                _terms(start, PayBasis.SESSION, rate="90.00", session="3", prep="2", travel="1"),
                _terms(fee_rise, PayBasis.SESSION, rate="120.00", session="3", prep="2", travel="1"),
            ),
        ),
        PlannedRole(
            CLINICAL_CO_CHAIR,
            RoleKind.CLINICAL,
            "Co-chair",
            (
                _terms(
                    start, PayBasis.SALARY, card="nhs-scotland-afc/band-8a-entry",
                    session="3", prep="2", travel="1",
                ),
            ),
        ),
        PlannedRole(
            PANEL_MEMBER,
            RoleKind.LIVED_EXPERIENCE,
            "Lived experience panel member",
            (
                _terms(
                    start, PayBasis.HOUR, card="nihr-involvement/hourly",
                    session="2", prep="1", prep_paid=True, travel="0.5",
                ),
            ),
        ),
        PlannedRole(
            STAFF_PANEL_MEMBER,
            RoleKind.PROFESSIONAL,
            "Lived experience panel member",
            (
                _terms(
                    start, PayBasis.SALARY, card="nhs-scotland-afc/band-7-entry",
                    session="2", prep="1", travel="0.5",
                ),
            ),
        ),
        PlannedRole(
            PEER_RESEARCHER,
            RoleKind.LIVED_EXPERIENCE,
            "Researcher",
            (
                _terms(
                    start, PayBasis.HOUR, rate="16.50",
                    session="3", prep="1", prep_paid=True, travel="0.5",
                ),
            ),
        ),
        PlannedRole(
            RESEARCH_ASSISTANT,
            RoleKind.PROFESSIONAL,
            "Researcher",
            (
                _terms(
                    start, PayBasis.SALARY, card="nhs-scotland-afc/band-5-entry",
                    session="3", prep="1", travel="0.5",
                ),
            ),
        ),
        PlannedRole(
            FOCUS_GROUP_CONTRIBUTOR,
            RoleKind.LIVED_EXPERIENCE,
            "Focus group contributor",
            # A £20 shopping voucher for the afternoon; the bus there and back is not paid.
            (_terms(start, PayBasis.SESSION, rate="20.00", session="2", travel="1.5"),),
        ),
        PlannedRole(
            STAFF_FOCUS_GROUP_CONTRIBUTOR,
            RoleKind.CLINICAL,
            "Focus group contributor",
            (
                _terms(
                    start, PayBasis.SALARY, card="nhs-scotland-afc/band-6-entry",
                    session="2", travel="1.5",
                ),
            ),
        ),
        PlannedRole(
            CARER_REPRESENTATIVE,
            RoleKind.CARER,
            "Carer representative",
            (_terms(start, PayBasis.HALF_DAY, rate="90.00", session="3", prep="1", travel="1"),),
        ),
    )


# Fictional people: name, email local part, language, payee reference, reciprocity, role.
_PEOPLE: tuple[tuple, ...] = (
    ("Morag Henderson", "morag.henderson", "en", "SUP-10234", Reciprocity.BANK_TRANSFER, LE_CO_CHAIR),
    ("Alasdair MacKinnon", "alasdair.mackinnon", "en", None, Reciprocity.NOT_CHOSEN, CLINICAL_CO_CHAIR),
    ("Eilidh Fraser", "eilidh.fraser", "gd", None, Reciprocity.VOUCHERS, PANEL_MEMBER),
    ("Tomasz Nowicki", "tomasz.nowicki", "pl", "SUP-10241", Reciprocity.BANK_TRANSFER, PANEL_MEMBER),
    ("Jamie Robertson", "jamie.robertson", "en", None, Reciprocity.NOT_CHOSEN, PANEL_MEMBER),
    ("Catriona Stewart", "catriona.stewart", "en", None, Reciprocity.NO_PAYMENT, PANEL_MEMBER),
    ("Kirsty Paterson", "kirsty.paterson", "en", None, Reciprocity.NOT_CHOSEN, PANEL_MEMBER),
    ("Iain Buchanan", "iain.buchanan", "en", None, Reciprocity.TRAINING, PANEL_MEMBER),
    ("Gillian Reid", "gillian.reid", "en", None, Reciprocity.NOT_CHOSEN, STAFF_PANEL_MEMBER),
    ("Aisha Rahman", "aisha.rahman", "en", "SUP-10257", Reciprocity.BANK_TRANSFER, PEER_RESEARCHER),
    ("Callum Doherty", "callum.doherty", "en", None, Reciprocity.DONATION, PEER_RESEARCHER),
    ("Niamh Kerr", "niamh.kerr", "en", None, Reciprocity.NOT_CHOSEN, RESEARCH_ASSISTANT),
    ("Sandra Wilkie", "sandra.wilkie", "en", None, Reciprocity.VOUCHERS, FOCUS_GROUP_CONTRIBUTOR),
    ("Graham Birrell", "graham.birrell", "en", None, Reciprocity.NOT_CHOSEN, FOCUS_GROUP_CONTRIBUTOR),
    ("Owen Campbell", "owen.campbell", "en", None, Reciprocity.NOT_CHOSEN, STAFF_FOCUS_GROUP_CONTRIBUTOR),
    ("Lorraine Baird", "lorraine.baird", "en", "SUP-10262", Reciprocity.NOT_CHOSEN, CARER_REPRESENTATIVE),
)
KIRSTY = "kirsty.paterson@example.org"  # joins the panel in month three
IAIN = "iain.buchanan@example.org"  # leaves the panel in month five

# Return bus fares people claim (those not listed walk, drive or come online).
_BUS_FARES = {
    "morag.henderson@example.org": ("4.80", "Return bus fare"),
    "eilidh.fraser@example.org": ("12.80", "Return bus fare from Linlithgow"),
    "tomasz.nowicki@example.org": ("3.40", "Return bus fare"),
    "catriona.stewart@example.org": ("6.20", "Return bus fare"),
    "kirsty.paterson@example.org": ("4.80", "Return bus fare"),
    "iain.buchanan@example.org": ("9.60", "Return bus fare from Dalkeith"),
    "aisha.rahman@example.org": ("4.80", "Return bus fare"),
    "callum.doherty@example.org": ("7.40", "Return bus fare from Musselburgh"),
    "sandra.wilkie@example.org": ("5.90", "Return bus fare"),
    "graham.birrell@example.org": ("11.20", "Return bus fare from Bathgate"),
    "lorraine.baird@example.org": ("8.30", "Return bus fare"),
}
BUS_FARE_CLAIMS = 17  # with one childcare claim and two lunches, 20 expenses

# Roles invited to each kind of session.
_STEERING_ROLES = (LE_CO_CHAIR, CLINICAL_CO_CHAIR, STAFF_PANEL_MEMBER, RESEARCH_ASSISTANT, CARER_REPRESENTATIVE)
_PANEL_ROLES = (PANEL_MEMBER, STAFF_PANEL_MEMBER)
_WORKSHOP_ROLES = (PEER_RESEARCHER, RESEARCH_ASSISTANT)
_FOCUS_GROUP_ROLES = (FOCUS_GROUP_CONTRIBUTOR, STAFF_FOCUS_GROUP_CONTRIBUTOR)
_CHAIRS = (LE_CO_CHAIR, CLINICAL_CO_CHAIR)


def _people_and_appointments(
    start: dt.date,
) -> tuple[tuple[PlannedPerson, ...], tuple[PlannedAppointment, ...]]:
    people = []
    appointments = []
    for name, local, language, payee, reciprocity, role in _PEOPLE:
        email = f"{local}@example.org"
        people.append(PlannedPerson(name, email, language, payee, reciprocity))
        begins, ends = start, None
        if email == KIRSTY:
            begins = _add_months(start, 2) + dt.timedelta(days=9)
        if email == IAIN:
            ends = _add_months(start, 4) + dt.timedelta(days=14)
        appointments.append(PlannedAppointment(email, role, begins, ends))
    return tuple(people), tuple(appointments)


def _meetings(start: dt.date, end: dt.date) -> tuple[PlannedMeeting, ...]:
    meetings = []
    for month in range(7):  # the six months before this one, and this one
        first = _add_months(start, month)
        meetings.append(PlannedMeeting(_nth_weekday(first, TUESDAY, 2), STEERING_GROUP, D("3"), _STEERING_ROLES))
    day = _nth_weekday(start, THURSDAY, 1)
    while day <= end:
        meetings.append(PlannedMeeting(day, PANEL, D("2"), _PANEL_ROLES))
        day += dt.timedelta(days=14)
    for month, title in enumerate(WORKSHOP_TITLES, 1):
        day = _nth_weekday(_add_months(start, month), WEDNESDAY, 3)
        meetings.append(PlannedMeeting(day, title, D("3"), _WORKSHOP_ROLES))
    for month, title in zip((1, 3, 5), FOCUS_GROUP_TITLES):
        day = _nth_weekday(_add_months(start, month), MONDAY, 4)
        meetings.append(PlannedMeeting(day, title, D("2"), _FOCUS_GROUP_ROLES))
    return tuple(sorted(meetings, key=lambda meeting: meeting.key))


def _turnout(meeting: PlannedMeeting, role: str) -> float:
    """How likely someone is to come: focus groups are one-off sessions people signed up for."""
    if meeting.roles == _FOCUS_GROUP_ROLES:
        return 1.0
    return 0.95 if role in _CHAIRS else 0.82


def _attendances(
    meetings: tuple[PlannedMeeting, ...],
    roles: tuple[PlannedRole, ...],
    appointments: tuple[PlannedAppointment, ...],
    today: dt.date,
    rng: random.Random,
) -> list[PlannedAttendance]:
    by_title = {role.title: role for role in roles}
    attendances = []
    for meeting in meetings:
        if meeting.date > today:
            continue  # planned, not yet held
        invited = sorted(
            (a for a in appointments if a.role in meeting.roles and a.covers(meeting.date)),
            key=lambda a: a.person,
        )
        for appointment in invited:
            # Every draw is made whatever the outcome, so the pattern stays fixed.
            came, short, extra_prep, less_travel = (rng.random() for _ in range(4))
            if came > _turnout(meeting, appointment.role):
                continue
            terms = by_title[appointment.role].terms_on(meeting.date)
            hours = meeting.hours - D("0.5") if short < 0.08 else meeting.hours
            prep = terms.prep_hours + (D("1") if extra_prep < 0.2 else D("0"))
            travel = terms.travel_hours
            if travel and less_travel < 0.1:
                travel = D("0")  # joined online that day
            attendances.append(
                PlannedAttendance(meeting.key, appointment.person, appointment.role, hours, prep, travel)
            )
    return attendances


def _with_expenses(
    attendances: list[PlannedAttendance],
    kinds: dict[str, RoleKind],
    childcare_from: dt.date,
    rng: random.Random,
) -> tuple[PlannedAttendance, ...]:
    claims: dict[int, list[PlannedExpense]] = {}

    def claim(index: int, expense: PlannedExpense) -> None:
        claims.setdefault(index, []).append(expense)

    travelled = [
        index
        for index, attendance in enumerate(attendances)
        if attendance.travel_hours > 0
        and attendance.person in _BUS_FARES
        and kinds[attendance.role].is_lived_experience_side
    ]
    for index in sorted(rng.sample(travelled, min(BUS_FARE_CLAIMS, len(travelled)))):
        amount, note = _BUS_FARES[attendances[index].person]
        claim(index, PlannedExpense(D(amount), ExpenseCategory.TRAVEL, note))

    # Childcare so Catriona could come to the panel, once, from the third month.
    childcare = [
        index
        for index, attendance in enumerate(attendances)
        if attendance.person == "catriona.stewart@example.org"
        and attendance.meeting[1] == PANEL
        and attendance.meeting[0] >= childcare_from
    ]
    if childcare:
        claim(childcare[0], PlannedExpense(D("36.00"), ExpenseCategory.CARE, "Childminder, 3 hours at £12"))

    # Lunch for the first two peer researchers at a workshop: workshops run over midday.
    lunches = [index for index, attendance in enumerate(attendances) if attendance.role == PEER_RESEARCHER][:2]
    for index in lunches:
        claim(index, PlannedExpense(D("7.50"), ExpenseCategory.MEALS, "Lunch; the workshop ran over midday"))

    return tuple(
        PlannedAttendance(
            a.meeting, a.person, a.role, a.hours, a.prep_hours, a.travel_hours, tuple(claims.get(i, ()))
        )
        for i, a in enumerate(attendances)
    )


def demo_plan(today: dt.date) -> DemoPlan:
    """The demo project as plain data, worked out from ``today``. Pure and repeatable."""
    start = _add_months(today.replace(day=1), -6)
    end = _month_end(today.replace(day=1))
    rng = random.Random(SEED)
    roles = _roles(start)
    people, appointments = _people_and_appointments(start)
    meetings = _meetings(start, end)
    attendances = _attendances(meetings, roles, appointments, today, rng)
    kinds = {role.title: role.kind for role in roles}
    return DemoPlan(
        name=DEMO_PROJECT_NAME,
        cost_centre=f"MH-CR-{start.year}",
        currency="GBP",
        start_date=start,
        end_date=end,
        groups=_groups(),
        roles=roles,
        people=people,
        appointments=appointments,
        meetings=meetings,
        attendances=_with_expenses(attendances, kinds, _add_months(start, 2), rng),
    )


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
                RoleTerms(
                    effective_from=t.effective_from,
                    basis=t.basis,
                    rate=t.rate,
                    rate_card_ref=t.rate_card_ref,
                    session_hours=t.session_hours,
                    prep_hours=t.prep_hours,
                    prep_paid=t.prep_paid,
                    travel_hours=t.travel_hours,
                    travel_paid=t.travel_paid,
                )
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
