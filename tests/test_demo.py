"""The demo project: a pure plan, written to the database once (remun/project_records/demo.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from remun.project_records.demo import DEMO_PROJECT_NAME, demo_plan, load_demo
from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.project_records.models import Appointment, Attendance, Expense, Meeting, Person, Project, Role, RoleTerms
from remun.pay.terms import pay_terms
from remun.pay.terms import effective_hourly_rate
from remun.project_records.rules import check_rate_card, role_on

TODAY = dt.date(2026, 11, 23)


def _count(session, model, *where) -> int:
    statement = select(func.count()).select_from(model)
    for condition in where:
        statement = statement.where(condition)
    return session.scalar(statement)


def _attendances(session, project):
    return list(
        session.scalars(select(Attendance).join(Meeting).where(Meeting.project_id == project.id))
    )


def _summary(plan) -> list[tuple]:
    """Who came to which session for how long, as plain text-able tuples."""
    names = {person.email: person.name for person in plan.people}
    return sorted(
        (date.isoformat(), title, names[a.person], str(a.hours), str(a.prep_hours), str(a.travel_hours),
         tuple(str(e.amount) for e in a.expenses))
        for a in plan.attendances
        for date, title in [a.meeting]
    )


def _checksum(plan) -> str:
    return hashlib.sha256(repr(_summary(plan)).encode()).hexdigest()


# --- the plan (no database) ---------------------------------------------------------


def test_plan_is_the_same_every_time():
    first, second = demo_plan(TODAY), demo_plan(TODAY)
    assert first == second
    assert _checksum(first) == _checksum(second)


def test_plan_dates_follow_today():
    plan = demo_plan(TODAY)
    assert plan.start_date == dt.date(2026, 5, 1)
    assert plan.end_date == dt.date(2026, 11, 30)
    later = demo_plan(dt.date(2027, 2, 10))
    assert later.start_date == dt.date(2026, 8, 1)
    assert later.cost_centre == "MH-CR-2026"
    across_new_year = demo_plan(dt.date(2026, 3, 31))
    assert across_new_year.start_date == dt.date(2025, 9, 1)


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 1, 1), dt.date(2027, 6, 30), dt.date(2028, 2, 29)])
def test_plan_shape_holds_whatever_today(today):
    plan = demo_plan(today)
    assert 12 <= len(plan.people) <= 16
    assert 25 <= len(plan.meetings) <= 35
    assert 15 <= sum(len(a.expenses) for a in plan.attendances) <= 25
    assert all(meeting.date.weekday() < 5 for meeting in plan.meetings)
    assert all(plan.start_date <= meeting.date <= plan.end_date for meeting in plan.meetings)
    meeting_dates = {meeting.key: meeting.date for meeting in plan.meetings}
    for attendance in plan.attendances:
        day = meeting_dates[attendance.meeting]
        assert day <= today
        assert plan.role_on(attendance.person, day) == attendance.role
    # Every session held so far has someone at it.
    held = {meeting.key for meeting in plan.meetings if meeting.date <= today}
    assert held == {attendance.meeting for attendance in plan.attendances}


def test_plan_amounts_are_decimals_in_range():
    plan = demo_plan(TODAY)
    expenses = [e for a in plan.attendances for e in a.expenses]
    assert all(isinstance(e.amount, Decimal) for e in expenses)
    fares = [e.amount for e in expenses if e.category == "travel"]
    assert fares and all(Decimal("3.40") <= fare <= Decimal("12.80") for fare in fares)
    assert Decimal("36.00") in {e.amount for e in expenses if e.category == "care"}
    assert Decimal("7.50") in {e.amount for e in expenses if e.category == "meals"}
    for role in plan.roles:
        for terms in role.terms:
            assert terms.rate is None or isinstance(terms.rate, Decimal)


# --- loading into the database ------------------------------------------------------------


def test_load_demo_creates_the_project(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    assert project.id is not None
    assert project.name == DEMO_PROJECT_NAME
    assert project.currency == "GBP"
    assert project.cost_centre == "MH-CR-2026"
    assert project.start_date == dt.date(2026, 5, 1)

    people = session.scalars(
        select(Person).join(Appointment).join(Role).where(Role.project_id == project.id).distinct()
    ).all()
    attendances = _attendances(session, project)
    expenses = [expense for attendance in attendances for expense in attendance.expenses]
    assert 12 <= len(people) <= 16
    assert 25 <= len(project.meetings) <= 35
    assert 15 <= len(expenses) <= 25
    assert len(attendances) == len(demo_plan(TODAY).attendances)

    assert {p.preferred_language for p in people} == {"en", "gd", "pl"}
    assert sum(p.preferred_language == "gd" for p in people) == 1
    assert sum(p.preferred_language == "pl" for p in people) == 1
    assert all(p.email.endswith("@example.org") for p in people)
    assert any(p.payee_reference and p.payee_reference.startswith("SUP-") for p in people)
    reciprocity = [p.reciprocity for p in people]
    # Issue 6's ways (card, cheque, someone else, a split) are chosen by participants on their own pages;
    # the demo's people still cover the original six.
    issue_6 = {Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE, Reciprocity.THIRD_PARTY, Reciprocity.SPLIT}
    assert set(Reciprocity) - issue_6 <= set(reciprocity)
    assert reciprocity.count(Reciprocity.NOT_CHOSEN) >= 3
    assert all(isinstance(e.amount, Decimal) for e in expenses)


def test_every_attendance_is_in_the_role_held_that_day(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    attendances = _attendances(session, project)
    assert attendances
    for attendance in attendances:
        held = role_on(session, attendance.person, project, attendance.meeting.date)
        assert attendance.role_id == held.id, (attendance.person.name, attendance.meeting.date)


def test_no_attendance_after_today(session, rate_book):
    today = dt.date(2026, 9, 15)  # the steering group of September, on the 8th, has been held
    project = load_demo(session, rate_book, today=today)
    dates = [attendance.meeting.date for attendance in _attendances(session, project)]
    assert max(dates) <= today
    assert project.end_date == dt.date(2026, 9, 30)
    assert any(meeting.date > today for meeting in project.meetings)  # planned, not yet held


def test_people_join_and_leave_during_the_project(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    appointments = session.scalars(
        select(Appointment).join(Role).where(Role.project_id == project.id)
    ).all()
    late = [a for a in appointments if a.start_date > project.start_date]
    ended = [a for a in appointments if a.end_date is not None]
    assert [a.start_date.month for a in late] == [7]  # month three
    assert [a.end_date.month for a in ended] == [9]  # month five


def test_loading_twice_creates_nothing_new(session, rate_book):
    first = load_demo(session, rate_book, today=TODAY)
    counts = [
        _count(session, model)
        for model in (Project, Role, RoleTerms, Person, Appointment, Meeting, Attendance, Expense)
    ]
    second = load_demo(session, rate_book, today=TODAY + dt.timedelta(days=40))
    assert second.id == first.id
    assert counts == [
        _count(session, model)
        for model in (Project, Role, RoleTerms, Person, Appointment, Meeting, Attendance, Expense)
    ]


def test_groups_comparators_and_the_group_without_one(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    without = []
    for group in project.groups:
        kinds = {role.kind for role in group.roles}
        assert any(kind.is_lived_experience_side for kind in kinds), group.name
        if not any(kind.is_comparator_side for kind in kinds):
            without.append(group.name)
    assert without == ["Carer representative"]


def test_rate_cards_are_known_and_in_the_right_unit(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    refs = []
    for role in project.roles:
        for terms in role.terms:
            if terms.rate_card_ref:
                assert rate_book.knows(terms.rate_card_ref)
                check_rate_card(rate_book, terms.basis, terms.rate_card_ref)
                assert rate_book.lookup(terms.rate_card_ref, project.start_date) is not None
                refs.append(terms.rate_card_ref)
    assert "nhs-scotland-afc/band-8a-entry" in refs
    assert "nihr-involvement/hourly" in refs


def test_one_role_changes_its_terms_mid_project(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    changed = [role for role in project.roles if len(role.terms) == 2]
    assert [role.title for role in changed] == ["Lived experience co-chair"]
    before, after = changed[0].terms
    assert before.effective_from == project.start_date
    assert after.effective_from == dt.date(2026, 8, 1)  # month four
    assert after.rate > before.rate
    assert all(len(role.terms) == 1 for role in project.roles if role not in changed)


def _hourly(terms: RoleTerms, rate_book, day: dt.date) -> Decimal:
    return effective_hourly_rate(pay_terms(terms, rate_book, day))


def test_exactly_one_lived_experience_role_is_below_the_living_wage(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    below = set()
    for day in (project.start_date, TODAY):
        wage = rate_book.living_wage(day)
        for role in project.roles:
            if role.kind.is_lived_experience_side and _hourly(role.terms_on(day), rate_book, day) < wage:
                below.add(role.title)
    assert below == {"Focus group contributor"}


def test_the_co_chairs_show_a_real_gap(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    roles = {role.title: role for role in project.roles}
    lived = roles["Lived experience co-chair"]
    clinical = roles["Clinical co-chair"]
    assert lived.kind is RoleKind.LIVED_EXPERIENCE and clinical.kind is RoleKind.CLINICAL
    assert lived.current_terms.basis is PayBasis.SESSION
    assert not lived.current_terms.prep_paid and not lived.current_terms.travel_paid
    assert clinical.current_terms.basis is PayBasis.SALARY and clinical.current_terms.rate is None
    lived_rate = _hourly(lived.terms_on(TODAY), rate_book, TODAY)
    clinical_rate = _hourly(clinical.terms_on(TODAY), rate_book, TODAY)
    assert lived_rate < clinical_rate * Decimal("0.8")


def test_loaded_attendance_matches_the_plan(session, rate_book):
    project = load_demo(session, rate_book, today=TODAY)
    stored = sorted(
        (
            a.meeting.date.isoformat(),
            a.meeting.title,
            a.person.name,
            str(a.hours.normalize()),
            str(a.prep_hours.normalize()),
            str(a.travel_hours.normalize()),
            tuple(str(e.amount) for e in a.expenses),
        )
        for a in _attendances(session, project)
    )
    planned = [
        (date, title, name, str(Decimal(h).normalize()), str(Decimal(p).normalize()),
         str(Decimal(t).normalize()), expenses)
        for date, title, name, h, p, t, expenses in _summary(demo_plan(TODAY))
    ]
    assert stored == planned


def test_demo_accounts_are_made_once_with_private_random_passwords(session, rate_book, tmp_path):
    from remun.accounts.passwords import hasher
    from remun.accounts.users import authenticate
    from remun.accounts.demo import CREDENTIALS_FILE, DEMO_PARTICIPANT_EMAIL, ensure_demo_accounts

    project = load_demo(session, rate_book, today=TODAY)
    session.flush()
    first = ensure_demo_accounts(session, project, tmp_path, using=hasher("test"))
    again = ensure_demo_accounts(session, project, tmp_path, using=hasher("test"))

    assert [a.role for a in first] == ["admin", "lead", "finance", "participant"]
    assert again == first  # the second run shows the same accounts, with nothing reset
    assert len({a.password for a in first}) == 4
    assert (tmp_path / CREDENTIALS_FILE).stat().st_mode & 0o077 == 0  # only its owner may read it
    by_role = {a.role: authenticate(session, a.email, a.password, using=hasher("test")) for a in first}
    assert all(by_role.values())
    assert [p.id for p in by_role["lead"].led_projects] == [project.id]
    assert by_role["participant"].person.email == DEMO_PARTICIPANT_EMAIL
    assert authenticate(session, first[0].email, "not the password", using=hasher("test")) is None


def test_demo_choices_are_recorded_with_details_and_two_change_their_minds(session, rate_book):
    from remun.ledger.demo import load_demo_ledger
    from remun.reciprocity.choices import current_choice, history
    from remun.reciprocity.demo import record_demo_changes_of_mind, record_demo_choices

    project = load_demo(session, rate_book, today=TODAY)
    session.flush()
    record_demo_choices(session, project)
    load_demo_ledger(session, rate_book, project, today=TODAY)
    record_demo_changes_of_mind(session)
    record_demo_choices(session, project)  # a second run changes nothing
    record_demo_changes_of_mind(session)

    def choice_of(email):
        person = session.scalar(select(Person).where(Person.email == email))
        return person, current_choice(session, person)

    _, eilidh = choice_of("eilidh.fraser@example.org")
    assert [(p.method, p.detail) for p in eilidh.parts] == [(Reciprocity.VOUCHERS, "Love2shop")]
    graham, split = choice_of("graham.birrell@example.org")
    assert split.summary == Reciprocity.SPLIT and [p.percent for p in split.parts] == [Decimal("50"), Decimal("50")]
    assert len(history(session, graham.id)) == 1
    _, kirsty = choice_of("kirsty.paterson@example.org")
    assert kirsty.summary == Reciprocity.PAYMENT_CARD
    _, jamie = choice_of("jamie.robertson@example.org")
    assert not jamie.chosen  # nothing is assumed for anyone who has not chosen


def test_the_demo_has_a_budget_with_plan_against_actual(app, client, db_session, rate_book):
    """issue 16: "Budgets" opened empty on the demo. Now its project has a plan to set against the ledger."""
    from remun.budget.demo import load_demo_budget
    from remun.budget.models import Budget
    from remun.ledger.demo import load_demo_ledger
    from remun.reciprocity.demo import record_demo_choices

    project = load_demo(db_session, rate_book)
    db_session.flush()
    record_demo_choices(db_session, project)
    load_demo_ledger(db_session, rate_book, project)
    budget = load_demo_budget(db_session, project)
    assert load_demo_budget(db_session, project) is budget  # made once
    db_session.commit()
    assert budget.lines and budget.items
    salaried = [line for line in budget.lines if not line.in_total]
    assert salaried  # staff are planned, not paid for by the budget
    page = client.get(f"/budgets/{budget.id}")
    assert page.status_code == 200
    text = " ".join(__import__("re").sub(r"<[^>]+>", " ", page.get_data(as_text=True)).split())
    assert "Plan against actual" in text and "Spent" in text
    assert " a hour" not in text
    assert db_session.scalar(__import__("sqlalchemy").select(Budget).where(Budget.project_id == project.id)) is budget
