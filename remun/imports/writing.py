"""Writing a checked workbook: everything in one savepoint, or nothing.

A part of the importer's ``_Import`` (remun/imports/importer.py)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from remun.bulk_insert import insert_rows
from remun.project_records.enums import ExpenseCategory, Reciprocity
from remun.pay.mileage import price_mileage
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
from remun.imports import N_
from remun.imports.problems import Problem
from remun.imports.plans import PersonPlan, RolePlan
from remun.pay.terms import Terms
from remun.imports.results import ImportFailed, ImportSummary, Tally
from remun.imports.rows import DEFAULT_CURRENCY, DEFAULT_LANGUAGE, chunks, key_of

log = logging.getLogger(__name__)


class Writes:
    """Adding and updating the records the checked plans describe."""

    def write(self) -> ImportSummary:
        assert self.project_plan is not None
        try:
            with self.session.begin_nested():
                return self._write()
        except (IntegrityError, DataError) as exc:
            # Every rule the database has is checked above, so this is a clash with
            # something written at the same moment, or a bug. Nothing is kept.
            log.exception("workbook import refused by the database")
            raise ImportFailed(
                [Problem(None, None, None,
                         N_("Remun could not save this workbook because it clashes with records already in "
                            "Remun. Nothing was imported. Try again, and if it happens again tell your "
                            "administrator."))]
            ) from exc

    def _write(self) -> ImportSummary:
        session = self.session
        plan = self.project_plan
        assert plan is not None
        project = self.project
        if project is None:
            project = Project(name=plan.name, cost_centre=plan.cost_centre, currency=plan.currency or DEFAULT_CURRENCY,
                              start_date=plan.start, end_date=plan.end, location=plan.location)
            session.add(project)
            session.flush()
            summary = ImportSummary(project.id, project.name)
            summary.project.created += 1
        else:
            summary = ImportSummary(project.id, project.name)
            changed = update_fields(project, cost_centre=plan.cost_centre, currency=plan.currency or project.currency,
                              start_date=plan.start, end_date=plan.end,
                              location=plan.location if plan.location is not None else project.location)
            count_change(summary.project, changed)

        # Equal role groups, then roles and their pay terms.
        counted_groups: set[str] = set()
        groups = dict(self.old_groups)
        for role_plan in self.roles:
            if role_plan.group is None:
                continue
            key = key_of(role_plan.group)
            if key in groups:
                if key in self.old_groups and key not in counted_groups:
                    summary.groups.unchanged += 1
                counted_groups.add(key)
                continue
            group = RoleGroup(project_id=project.id, name=role_plan.group)
            session.add(group)
            groups[key] = group
            summary.groups.created += 1
        session.flush()

        roles = dict(self.old_roles)
        first_day = plan.start or self.today
        for role_plan in self.roles:
            group_id = groups[key_of(role_plan.group)].id if role_plan.group else None
            role = self.old_roles.get(role_plan.key)
            if role is None:
                role = Role(project_id=project.id, title=role_plan.title, kind=role_plan.kind, group_id=group_id)
                terms = RoleTerms(effective_from=role_plan.terms_from or first_day)
                role_plan.terms.copy_to(terms)
                role.terms.append(terms)
                session.add(role)
                roles[role_plan.key] = role
                summary.roles.created += 1
                summary.terms.created += 1
                continue
            count_change(summary.roles, update_fields(role, kind=role_plan.kind, group_id=group_id))
            self._write_terms(role, role_plan, summary)
        session.flush()

        # People and their roles.
        for person_plan in self.people:
            person = person_plan.existing
            if person is None:
                person = Person(
                    name=person_plan.name,
                    email=person_plan.email,
                    preferred_language=person_plan.language or DEFAULT_LANGUAGE,
                    payee_reference=person_plan.payee_reference,
                    reciprocity=person_plan.reciprocity or Reciprocity.NOT_CHOSEN,
                )
                session.add(person)
                summary.people.created += 1
            else:
                # A blank cell never clears what is already recorded about someone.
                changes: dict[str, Any] = {}
                if person_plan.email and (person.email or "").lower() != person_plan.email.lower():
                    changes["email"] = person_plan.email
                if person_plan.email and person.name != person_plan.name:
                    changes["name"] = person_plan.name  # found by email: the workbook has their name now
                if person_plan.language:
                    changes["preferred_language"] = person_plan.language
                if person_plan.payee_reference:
                    changes["payee_reference"] = person_plan.payee_reference
                if person_plan.reciprocity:
                    changes["reciprocity"] = person_plan.reciprocity
                count_change(summary.people, update_fields(person, **changes))
            person_plan.person = person
        session.flush()

        old_appointments = {
            (appointment.person_id, appointment.role_id, appointment.start_date): appointment
            for appointments in self.old_appointments.values()
            for appointment in appointments
        }
        for appointment_plan in self.appointments:
            person = appointment_plan.person.person
            role = roles[appointment_plan.role_key]
            old = old_appointments.get((person.id, role.id, appointment_plan.start))
            if old is None:
                session.add(Appointment(person_id=person.id, role_id=role.id, start_date=appointment_plan.start,
                                        end_date=appointment_plan.end))
                summary.appointments.created += 1
            else:
                count_change(summary.appointments, update_fields(old, end_date=appointment_plan.end))

        # Sessions, then attendance and expenses.
        meetings = dict(self.old_meetings)
        for key, meeting_plan in self.meetings.items():
            old = self.old_meetings.get(key)
            if old is None:
                meeting = Meeting(project_id=project.id, date=meeting_plan.date, title=meeting_plan.title,
                                  hours=meeting_plan.hours)
                session.add(meeting)
                meetings[key] = meeting
                summary.sessions.created += 1
            else:
                count_change(summary.sessions, update_fields(old, hours=meeting_plan.hours))
        session.flush()

        new_attendances: list[tuple[dict, list]] = []
        for attendance_plan in self.attendances:
            meeting = meetings[attendance_plan.meeting_key]
            who = attendance_plan.person
            person = who.person if isinstance(who, PersonPlan) else who
            role_id = roles[attendance_plan.role_key].id
            wanted = [attendance_plan.expense] if attendance_plan.expense else []
            old = self.old_attendances.get((meeting.id, person.id))
            if old is None:
                new_attendances.append((
                    {"meeting_id": meeting.id, "person_id": person.id, "role_id": role_id,
                     "hours": attendance_plan.hours, "prep_hours": attendance_plan.prep_hours,
                     "travel_hours": attendance_plan.travel_hours},
                    wanted))
                summary.expenses.created += len(wanted)
                summary.attendance.created += 1
                continue
            changed = update_fields(old, role_id=role_id, hours=attendance_plan.hours,
                              prep_hours=attendance_plan.prep_hours, travel_hours=attendance_plan.travel_hours)
            have = [(expense.amount, expense.category, expense.note or None) for expense in old.expenses
                    if expense.category != ExpenseCategory.MILEAGE]  # mileage: see _write_mileage
            if attendance_plan.mileage is None:
                for stale in [e for e in old.expenses if e.category == ExpenseCategory.MILEAGE]:
                    old.expenses.remove(stale)
                    summary.expenses.removed += 1
                    changed = True
            if have == wanted:
                summary.expenses.unchanged += len(have)
            else:
                changed = True
                if have and wanted:
                    summary.expenses.updated += 1
                    summary.expenses.removed += len(have) - 1
                elif wanted:
                    summary.expenses.created += 1
                else:
                    summary.expenses.removed += len(have)
                for gone in [e for e in old.expenses if e.category != ExpenseCategory.MILEAGE]:
                    old.expenses.remove(gone)  # delete-orphan: the old expenses go
                for amount, category, note in wanted:
                    old.expenses.append(Expense(amount=amount, category=category, note=note))
            count_change(summary.attendance, changed)
        session.flush()
        self._insert_attendances(new_attendances)
        self._write_mileage(meetings, summary)
        return summary

    def _insert_attendances(self, new: list[tuple[dict, list]]) -> None:
        """New attendance and its expenses, in bulk (remun.bulk_insert): an ORM object for each row cost more
        CPU than all the rest of an import of 10,000 rows (docs/performance.md)."""
        session = self.session
        insert_rows(session, Attendance.__table__, [values for values, _expenses in new])
        with_expenses = [(values, wanted) for values, wanted in new if wanted]
        if not with_expenses:
            return
        ids: dict[tuple[int, int], int] = {}
        for meeting_ids in chunks(sorted({values["meeting_id"] for values, _wanted in with_expenses})):
            ids.update({(meeting_id, person_id): id_ for id_, meeting_id, person_id in session.execute(
                select(Attendance.id, Attendance.meeting_id, Attendance.person_id)
                .where(Attendance.meeting_id.in_(meeting_ids)))})
        insert_rows(session, Expense.__table__, [
            {"attendance_id": ids[(values["meeting_id"], values["person_id"])], "amount": amount,
             "category": category, "note": note}
            for values, wanted in with_expenses for amount, category, note in wanted])

    def _write_mileage(self, meetings: dict, summary: ImportSummary) -> None:
        """Mileage expenses, in session order, so each person's 10,000-mile step counts the earlier journeys.

        An attendance's old mileage goes (with its other expenses, above); rows without miles leave none.
        """
        session = self.session
        wanted = sorted((plan for plan in self.attendances if plan.mileage),
                        key=lambda plan: (plan.meeting_key[0], plan.row))
        if not wanted:
            return
        by_key = {(attendance.meeting_id, attendance.person_id): attendance
                  for attendance in session.scalars(select(Attendance).where(
                      Attendance.meeting_id.in_([meeting.id for meeting in meetings.values()])))}
        for plan in wanted:
            meeting = meetings[plan.meeting_key]
            who = plan.person
            person = who.person if isinstance(who, PersonPlan) else who
            attendance = by_key[(meeting.id, person.id)]
            miles, vehicle = plan.mileage
            olds = [e for e in attendance.expenses if e.category == ExpenseCategory.MILEAGE]
            if [(old.miles, old.vehicle) for old in olds] == [(miles, vehicle)]:
                summary.expenses.unchanged += 1  # priced when first imported: kept as it was claimed
                continue
            for old in olds:
                attendance.expenses.remove(old)
                summary.expenses.removed += 1
            session.flush()
            priced = price_mileage(session, self.rate_book, person.id, meeting.date, vehicle, miles)
            attendance.expenses.append(Expense(amount=priced.amount, category=ExpenseCategory.MILEAGE, miles=miles,
                                               vehicle=priced.vehicle.value))
            summary.expenses.created += 1
            session.flush()

    def _write_terms(self, role: Role, plan: RolePlan, summary: ImportSummary) -> None:
        """New terms from today (or "Terms from") when they differ; earlier terms are kept."""
        day = plan.terms_from or self.today
        same_day = next((terms for terms in role.terms if terms.effective_from == day), None)
        if same_day is not None:
            if Terms.of(same_day) == plan.terms:
                summary.terms.unchanged += 1
            else:
                plan.terms.copy_to(same_day)
                summary.terms.updated += 1
            return
        in_force = role.terms_on(day) if plan.terms_from else role.current_terms
        if in_force is not None and Terms.of(in_force) == plan.terms:
            summary.terms.unchanged += 1
            return
        terms = RoleTerms(effective_from=day)
        plan.terms.copy_to(terms)
        role.terms.append(terms)
        role.terms.sort(key=lambda t: t.effective_from)
        summary.terms.created += 1


def update_fields(record: object, **values: Any) -> bool:
    """Set attributes that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def count_change(tally: Tally, changed: bool) -> None:
    if changed:
        tally.updated += 1
    else:
        tally.unchanged += 1
