"""``demo_plan(today)``: the demo project (remun/project_records/demo.py) as plain, frozen data.

A pure function: the same ``today`` always gives the same plan (the pattern of who came, preparation
and expenses comes from ``random.Random(2026)``, never from real randomness). Every date is worked out
from ``today`` so the demo always looks current.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random

from remun.project_records.demo_data import (
    CARER_REPRESENTATIVE,
    CLINICAL_CO_CHAIR,
    D,
    DEMO_PROJECT_NAME,
    DemoPlan,
    FOCUS_GROUP_CONTRIBUTOR,
    FOCUS_GROUP_TITLES,
    LE_CO_CHAIR,
    PANEL,
    PANEL_MEMBER,
    PEER_RESEARCHER,
    PlannedAppointment,
    PlannedAttendance,
    PlannedExpense,
    PlannedGroup,
    PlannedMeeting,
    PlannedPerson,
    PlannedRole,
    PlannedTerms,
    RESEARCH_ASSISTANT,
    SEED,
    STAFF_FOCUS_GROUP_CONTRIBUTOR,
    STAFF_PANEL_MEMBER,
    STEERING_GROUP,
    WORKSHOP_TITLES,
)
from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind

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
