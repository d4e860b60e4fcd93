"""The parity report for a project, and for the whole organisation.

Reads a project's roles, pay terms and attendance from the database and
applies the rules in ``remun.parity.rules`` and ``remun.parity.pay_gap``. No Flask here: the
web pages, the JSON endpoint and ``remun parity`` all print this one report.

Choices made here (also in docs/rules.md):
- The *offer* is compared on the pay terms in force on the report date
  (today, kept within the project's dates), with rate-card figures in force
  that day, against the Real Living Wage in force that day.
- *Paid parity* reads the ledger (remun/parity/from_ledger.py): for each role, what
  was paid or given (money, and vouchers, training and donations at face value)
  for each hour given in approved claims, what is due (approved, not yet paid or
  given) and what was declined, each apart. Rejected and reversed claims count
  for nothing. Salaried staff make no claims: their attendance is priced from
  their terms (their employer pays them).
- The comparator basis is the organisation's choice (remun/parity/comparator_basis.py)
  and is part of every report.
- "What it costs to close the gap" is counted over the sessions the role has
  attended, or over all the project's sessions when none are recorded yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session, selectinload

from remun.parity.comparator_basis import ComparatorBasis, basis_from_settings
from remun.project_records.enums import LIVED_SIDE, PayBasis, RoleKind
from remun.parity.from_ledger import LedgerTime
from remun.parity.project_totals import ProjectTotals, summed_totals
from remun.project_records.models import Project, Role
from remun.money import ZERO
from remun.parity.rules import GapClosure, GroupParity, PaidParity, RoleOffer, close_gap, compare_group, paid_parity
from remun.pay.terms import NoRateOnDate, PayTerms, hourly_rate, pay_for_attendance, pay_terms
from remun.parity.pay_gap import DEFAULT_THRESHOLD, PayGap, pay_gap
from remun.pay.rate_review import overdue_for
from remun.pay.rate_cards import LivingWageWindow, RateBook, RateEntry, living_wage_ref


def report_date(project: Project, today: dt.date | None = None) -> dt.date:
    """Today, kept within the project's dates."""
    day = today or dt.date.today()
    if project.end_date and day > project.end_date:
        day = project.end_date
    if project.start_date and day < project.start_date:
        day = project.start_date
    return day


@dataclass(frozen=True)
class PersonPaid:
    """What one person received for their time in one role, against the comparator.

    ``received`` is what was paid or given; ``hours_given`` the hours it was for.
    What is due and what was declined are kept apart, with their hours.
    """

    person_id: int
    name: str
    role_id: int
    role_title: str
    kind: RoleKind
    sessions: int
    hours_given: Decimal
    received: Decimal
    parity: PaidParity
    due: Decimal = ZERO
    due_hours: Decimal = ZERO
    declined: Decimal = ZERO
    declined_hours: Decimal = ZERO
    #: True when priced from salaried attendance (no claims), not read from the ledger.
    from_terms: bool = False


@dataclass(frozen=True)
class RolePaid:
    """One role: what its terms offer an hour, what is due, what was paid or given, and what was declined."""

    role_id: int
    title: str
    kind: RoleKind
    offered_rate: Decimal | None  # the terms in force on the report date, on the chosen basis (unrounded)
    due: Decimal
    due_hours: Decimal
    paid_or_given: Decimal
    paid_hours: Decimal
    parity: PaidParity
    declined: Decimal
    declined_hours: Decimal
    from_terms: bool


@dataclass(frozen=True)
class ParityDetail:
    """What each person received against the comparator, and what would close each gap: the project's
    page, its JSON and its spreadsheet show these; the organisation's dashboard shows none of them."""

    closures: dict = field(default_factory=dict)  # role id -> GapClosure
    paid: tuple[PersonPaid, ...] = ()
    pay_gap: PayGap | None = None
    by_role: tuple[RolePaid, ...] = ()


#: A person's time in one compared role, for the pay gap: (person id, kind, hours given, received).
ComparedTime = tuple[int, RoleKind, Decimal, Decimal]


@dataclass(frozen=True, eq=False)
class ProjectParity:
    """A project's parity report. Its detail (:class:`ParityDetail`: ``paid``, ``by_role``, ``closures`` and
    ``pay_gap``) is worked out from the same figures when first read, then kept with the report: when every
    report must be made again (a new day, a change to the organisation's settings or rate figures) the
    dashboard waits only for what it shows."""

    project_id: int
    project_name: str
    currency: str
    on_date: dt.date
    living_wage: Decimal | None
    groups: tuple[GroupParity, ...]
    #: Roles with no equal-role group: they cannot be compared with anyone.
    ungrouped: tuple[str, ...]
    #: Roles whose published rate has no figure on the report date.
    unpriced: tuple[str, ...]
    #: Rate cards this report uses whose next figure is overdue on the report date (remun.pay.rate_review).
    stale_rates: tuple = ()
    #: Between a new Real Living Wage's announcement and the following 1 May: the previous rate too.
    living_wage_window: LivingWageWindow | None = None
    #: The Real Living Wage figure compared against (the London one for a London project).
    living_wage_entry: RateEntry | None = None
    basis: ComparatorBasis = ComparatorBasis()
    #: Each person's time in each compared role, in the order of ``paid`` (what the organisation's pay gap counts).
    compared: tuple[ComparedTime, ...] = field(default=(), repr=False)
    #: Works out the detail, once, when it is first read.
    work_out_detail: Callable[[], ParityDetail] = field(default=ParityDetail, repr=False, compare=False)

    @cached_property
    def detail(self) -> ParityDetail:
        return self.work_out_detail()

    @property
    def closures(self) -> dict:
        return self.detail.closures

    @property
    def paid(self) -> tuple[PersonPaid, ...]:
        return self.detail.paid

    @property
    def pay_gap(self) -> PayGap | None:
        return self.detail.pay_gap

    @property
    def by_role(self) -> tuple[RolePaid, ...]:
        return self.detail.by_role

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, each.name) == getattr(other, each.name) for each in fields(self) if each.compare) \
            and self.detail == other.detail

    @property
    def below_parity_count(self) -> int:
        return sum(len(group.below_parity) for group in self.groups)

    @property
    def below_living_wage_count(self) -> int:
        return sum(len(group.below_living_wage) for group in self.groups)


def load_projects(session: Session, project_ids: list[int] | None = None) -> list[Project]:
    """Projects with their groups, roles and terms, in four queries however many there are."""
    query = select(Project).options(
        selectinload(Project.groups),
        selectinload(Project.roles).selectinload(Role.terms),
    )
    if project_ids is not None:
        query = query.where(Project.id.in_(project_ids))
    return list(session.scalars(query))


def project_parity(
    session: Session,
    project_id: int,
    book: RateBook,
    today: dt.date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    basis: ComparatorBasis | None = None,
) -> ProjectParity:
    """The project's report; ``basis`` defaults to the organisation's chosen comparator basis."""
    projects = load_projects(session, [project_id])
    if not projects:
        raise NoResultFound(f"no project {project_id}")
    basis = basis or basis_from_settings(session)
    return _project_report(projects[0], summed_totals(session, [project_id])[project_id], book, today, threshold, basis)


def _project_report(
    project: Project, totals: ProjectTotals, book: RateBook, today: dt.date | None, threshold: int,
    basis: ComparatorBasis = ComparatorBasis(), overdue: dict | None = None,
) -> ProjectParity:
    """``overdue``: the rate cards found overdue, by day and figures used, shared by reports made together."""
    day = report_date(project, today)
    london = project_in_london(project)
    living_wage_entry = book.lookup(living_wage_ref(london), day)
    living_wage = living_wage_entry.amount if living_wage_entry else None
    used_refs = {living_wage_ref(london)} | {
        terms.rate_card_ref for role in project.roles for terms in role.terms if terms.rate_card_ref}

    offers_by_group: dict[int, list[RoleOffer]] = defaultdict(list)
    offered_rate: dict[int, Decimal | None] = {}
    ungrouped, unpriced = [], []
    roles_by_id = {role.id: role for role in project.roles}
    for role in project.roles:
        terms = role.terms_on(day)
        if terms is None:
            unpriced.append(role.title)
            continue
        try:
            priced = pay_terms(terms, book, day, basis)
        except NoRateOnDate:
            unpriced.append(role.title)
            continue
        offered_rate[role.id] = _offered_rate(priced)
        if role.group_id is None:
            ungrouped.append(role.title)
            continue
        offers_by_group[role.group_id].append(RoleOffer(key=role.id, title=role.title, kind=role.kind, terms=priced))

    groups = tuple(
        compare_group(group.name, offers_by_group[group.id], living_wage, basis.comparator)
        for group in project.groups
        if offers_by_group.get(group.id)
    )

    comparator_rate: dict[int, Decimal | None] = {}
    for group in groups:
        rate = group.comparator.effective_hourly_rate if group.comparator else None
        for role_parity in group.roles:
            comparator_rate[role_parity.offer.key] = rate

    time = _time_given(totals.paid, totals.ledger, roles_by_id, book, basis)
    compared = tuple((person_id, kind, hours, received)
                     for person_id, _name, _role_id, title, kind, _sessions, hours, received, *_rest in time
                     if title not in ungrouped)

    def work_out_detail() -> ParityDetail:
        all_sessions = totals.sessions or totals.meetings
        closures: dict[int, GapClosure] = {}
        for group in groups:
            for role_parity in group.roles:
                if role_parity.parity is False and group.comparator is not None:
                    sessions = totals.sessions_by_role.get(role_parity.offer.key) or all_sessions
                    closure = close_gap(role_parity, group.comparator, sessions)
                    if closure is not None:
                        closures[role_parity.offer.key] = closure
        paid = _paid_parity(time, comparator_rate)
        return ParityDetail(closures=closures, paid=paid, pay_gap=pay_gap(_each_person_once(compared), threshold=threshold),
                            by_role=_by_role(paid, roles_by_id, offered_rate, comparator_rate))

    return ProjectParity(
        project_id=project.id,
        project_name=project.name,
        currency=project.currency,
        on_date=day,
        living_wage=living_wage,
        groups=groups,
        ungrouped=tuple(ungrouped),
        unpriced=tuple(unpriced),
        stale_rates=_overdue(overdue if overdue is not None else {}, book, day, frozenset(used_refs)),
        living_wage_window=book.living_wage_window(day, london),
        living_wage_entry=living_wage_entry,
        basis=basis,
        compared=compared,
        work_out_detail=work_out_detail,
    )


def _overdue(found: dict, book: RateBook, day: dt.date, refs: frozenset[str]) -> tuple:
    if (day, refs) not in found:
        found[day, refs] = tuple(overdue_for(book, day, refs=refs))
    return found[day, refs]


def project_in_london(project) -> bool:
    """Whether the project pays London rates (its location says London); anywhere else uses the UK rate."""
    return getattr(project, "location", None) == "london"


def _offered_rate(terms: PayTerms) -> Decimal | None:
    from remun.pay.terms import effective_hourly_rate

    return effective_hourly_rate(terms)


def _each_person_once(compared: Iterable[ComparedTime]) -> list[tuple[RoleKind, Decimal]]:
    """Each person's hourly rate across their roles, weighted by hours (the pay gap counts a person once).

    received ÷ hours over all their compared roles. A person in roles on both
    sides is counted on the side where they gave more hours (the lived-experience
    side when equal).
    """
    totals: dict[int, list] = {}
    for person_id, kind, hours, received in compared:
        if hours == ZERO or kind is RoleKind.OTHER:
            continue
        entry = totals.get(person_id)
        if entry is None:
            entry = totals[person_id] = [ZERO, ZERO, {}]
        entry[0] += received
        entry[1] += hours
        by_kind = entry[2]  # each kind is on one side: lived experience (and carers) or comparator
        by_kind[kind] = by_kind.get(kind, ZERO) + hours
    people = []
    for received, hours, by_kind in totals.values():
        lived = comparator = ZERO
        for kind, given in by_kind.items():
            if kind in LIVED_SIDE:
                lived += given
            else:
                comparator += given
        on_lived_side = lived >= comparator
        kind = max(((given, kind) for kind, given in by_kind.items() if (kind in LIVED_SIDE) == on_lived_side),
                   key=lambda pair: pair[0])[1]
        people.append((kind, hourly_rate(received, hours)))
    return people


def _by_role(paid, roles_by_id, offered_rate, comparator_rate) -> tuple[RolePaid, ...]:
    sums: dict[int, list] = {}
    for person in paid:
        entry = sums.setdefault(person.role_id, [ZERO] * 6 + [person.from_terms])
        for index, value in enumerate((person.due, person.due_hours, person.received, person.hours_given,
                                       person.declined, person.declined_hours)):
            entry[index] += value
    roles = []
    for role in sorted(roles_by_id.values(), key=lambda role: role.title):
        due, due_hours, received, hours, declined, declined_hours, from_terms = sums.get(role.id, [ZERO] * 6 + [False])
        rate = comparator_rate.get(role.id) if role.kind.is_lived_experience_side else None
        roles.append(RolePaid(
            role_id=role.id, title=role.title, kind=role.kind, offered_rate=offered_rate.get(role.id),
            due=due, due_hours=due_hours, paid_or_given=received, paid_hours=hours,
            parity=paid_parity(received, hours, rate), declined=declined, declined_hours=declined_hours,
            from_terms=from_terms,
        ))
    return tuple(roles)


#: One person's time in one role: (person id, name, role id, role title, role kind, sessions, hours given,
#: received, due, due hours, declined, declined hours, priced from salaried terms).
TimeGiven = tuple[int, str, int, str, RoleKind, int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool]


def _time_given(rows, ledger: dict[tuple[int, int], LedgerTime], roles_by_id: dict[int, Role], book: RateBook,
                basis: ComparatorBasis) -> list[TimeGiven]:
    """Per person and role, by role title and name: the hours given and what was paid or given for them.

    From the ledger for everyone who claims; salaried staff (who make no claims)
    from their attendance priced on their terms and the chosen basis.
    """
    salaried = {terms.id: terms for role in roles_by_id.values() for terms in role.terms
                if terms.basis == PayBasis.SALARY}
    about = {role_id: (role.title, role.kind) for role_id, role in roles_by_id.items()}  # read once, not a row each
    totals: dict[tuple[int, int], list] = {}
    names: dict[int, str] = {}
    # Many people share terms and hours: work each session's pay out once.
    pay_for: dict[tuple, Decimal | None] = {}
    for person_id, name, role_id, terms_id, priced_on, hours, prep_hours, travel_hours, count in rows:
        names[person_id] = name
        terms = salaried.get(terms_id)
        if terms is None:
            continue  # not a salary: claims, read from the ledger below
        pay_key = (terms_id, priced_on, hours, prep_hours, travel_hours)
        if pay_key not in pay_for:
            try:
                # Only a rate-card rate depends on the day; priced_on is None for a fixed rate.
                priced = pay_terms(terms, book, priced_on or terms.effective_from, basis)
            except NoRateOnDate:
                pay_for[pay_key] = None
            else:
                pay_for[pay_key] = pay_for_attendance(priced, hours, prep_hours, travel_hours)
        pay = pay_for[pay_key]
        if pay is None:
            continue
        entry = totals.setdefault((person_id, role_id), [0, ZERO, ZERO])
        entry[0] += count
        entry[1] += (hours + prep_hours + travel_hours) * count
        entry[2] += pay * count
    time = [(person_id, names[person_id], role_id, *about[role_id], sessions, hours, received,
             ZERO, ZERO, ZERO, ZERO, True)
            for (person_id, role_id), (sessions, hours, received) in totals.items()]
    for (person_id, role_id), entry in ledger.items():
        if role_id not in about or person_id not in names:
            continue
        time.append((person_id, names[person_id], role_id, *about[role_id], entry.sessions, entry.paid_hours,
                     entry.paid_or_given, entry.due, entry.due_hours, entry.declined, entry.declined_hours,
                     False))
    time.sort(key=lambda each: (each[3], each[1]))
    return time


def _paid_parity(time: list[TimeGiven], comparator_rate: dict) -> tuple[PersonPaid, ...]:
    """Per person and role: what was paid or given for time ÷ the hours it was for, against the comparator."""
    people = []
    for (person_id, name, role_id, title, kind, sessions, hours, received, due, due_hours, declined, declined_hours,
         from_terms) in time:
        rate = comparator_rate.get(role_id) if kind in LIVED_SIDE else None
        people.append(PersonPaid(
            person_id=person_id, name=name, role_id=role_id, role_title=title, kind=kind,
            sessions=sessions, hours_given=hours, received=received, parity=paid_parity(received, hours, rate),
            due=due, due_hours=due_hours, declined=declined, declined_hours=declined_hours, from_terms=from_terms,
        ))
    return tuple(people)


@dataclass(frozen=True)
class OrganisationParity:
    projects: tuple[ProjectParity, ...]
    pay_gap: PayGap
    basis: ComparatorBasis = ComparatorBasis()

    @property
    def below_living_wage(self) -> list[tuple[ProjectParity, object]]:
        return [(report, role) for report in self.projects for group in report.groups for role in group.below_living_wage]


def organisation_parity(
    session: Session, book: RateBook, today: dt.date | None = None, threshold: int = DEFAULT_THRESHOLD,
    basis: ComparatorBasis | None = None,
) -> OrganisationParity:
    """Every project's parity, and the pay gap across all of them (each person counted once)."""
    basis = basis or basis_from_settings(session)
    return combined_parity(project_reports(session, book, today, threshold, basis), threshold, basis)


def project_reports(session: Session, book: RateBook, today: dt.date | None, threshold: int, basis: ComparatorBasis,
                    project_ids: list[int] | None = None, totals: dict[int, ProjectTotals] | None = None,
                    projects: list[Project] | None = None) -> list[ProjectParity]:
    """The reports of the projects asked about (every project for None), in one pass over the data, so the
    query count does not grow with the projects. Equal to :func:`project_parity` of each.

    ``totals``: the projects' totals already read (remun.parity.project_totals.totals_for), else summed
    now; a project without them (made since they were read) is left out. ``projects``: their rows with
    groups, roles and terms already read (:func:`load_projects`), else read now."""
    totals = totals if totals is not None else summed_totals(session, project_ids)
    projects = projects if projects is not None else load_projects(session, project_ids)
    overdue: dict = {}
    return [_project_report(project, totals[project.id], book, today, threshold, basis, overdue)
            for project in projects if project.id in totals]


def combined_parity(reports, threshold: int, basis: ComparatorBasis) -> OrganisationParity:
    """The organisation's report from its projects' reports (made now or kept): the projects by name,
    and the pay gap across all of them, each person counted once (over the roles compared in their project)."""
    reports = tuple(sorted(reports, key=lambda report: (report.project_name, report.project_id)))
    compared = (person for report in reports for person in report.compared)
    return OrganisationParity(projects=reports, pay_gap=pay_gap(_each_person_once(compared), threshold=threshold),
                              basis=basis)
