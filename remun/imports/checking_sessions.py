"""Checking the Sessions and Attendance sheets, and attendance already approved.

A part of the importer's ``_Import`` (remun/imports/importer.py); problems are collected, nothing is written."""

from __future__ import annotations

import datetime as dt

from remun.pay.mileage import NoMileageRate, mileage_amount
from remun.project_records.models import Person
from remun.money import ZERO
from remun.imports import N_
from remun.imports import layout as L
from remun.imports.problems import Problem
from remun.imports.cells import MONEY_LIMIT, MONEY_PLACES, read_text
from remun.imports.plans import AttendancePlan, MeetingPlan, PersonPlan
from remun.imports.rows import (
    EXPENSE_CHOICES_TEXT,
    EXPENSE_LOOKUP,
    MILES_LIMIT,
    MILES_PLACES,
    NAME_LIMIT,
    Row,
    VEHICLE_CHOICES_TEXT,
    VEHICLE_LOOKUP,
    key_of,
)


class SessionChecks:
    """Sessions and attendance: checked against the plans of the other sheets and Remun's records."""

    def _check_sessions(self) -> None:
        sheet = self.sheets[L.SESSIONS]
        for number, cells in sheet.rows:
            row = Row(sheet, number, cells, self.problems)
            date = row.date(L.DATE, N_("Give the date of the session."))
            title = row.text(L.TITLE, NAME_LIMIT, N_("Give the session a title."))
            hours = row.hours(L.HOURS, within_a_day=True, required=N_("Give the length of the session in hours."))
            if date is None or title is None:
                if title is not None:
                    self.unsure_session_titles.add(key_of(title))
                if date is not None:
                    self.unsure_session_dates.add(date)
                continue
            key = (date, key_of(title))
            if key in self.meeting_rows:
                row.problem(L.TITLE, N_("The session '%(title)s' on %(date)s is also on row %(other_row)d. Give "
                                        "each session once."),
                            title=title, date=date.isoformat(), other_row=self.meeting_rows[key])
                continue
            self.meeting_rows[key] = number
            if row.ok:
                self.meetings[key] = MeetingPlan(number, date, title, hours)

    def _appointments_of(self, person: PersonPlan | Person) -> list[tuple[str, dt.date, dt.date | None]]:
        """(role key, start, end) for each of a person's roles in the project, after this import."""
        spans: dict[tuple[str, dt.date], dt.date | None] = {}
        existing = person.existing if isinstance(person, PersonPlan) else person
        if existing is not None:
            for appointment in self.old_appointments.get(existing.id, ()):
                spans[(self.old_role_keys[appointment.role_id], appointment.start_date)] = appointment.end_date
        if isinstance(person, PersonPlan):
            spans.update(person.appointments)
        return [(role, start, end) for (role, start), end in spans.items()]

    def _check_attendance(self) -> None:
        sheet = self.sheets[L.ATTENDANCE]
        seen: dict[tuple[tuple[dt.date, str], int], int] = {}
        spans_cache: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
        for number, cells in sheet.rows:
            row = Row(sheet, number, cells, self.problems)
            date = row.date(L.DATE, N_("Give the date of the session they came to."))
            title = row.text(L.SESSION, required=N_("Give the title of the session they came to."))
            name = row.text(L.NAME, required=N_("Give the name of the person who came."))
            hours = row.hours(L.HOURS, within_a_day=True)
            prep_hours = row.hours(L.PREP_HOURS)
            travel_hours = row.hours(L.TRAVEL_HOURS)
            amount = row.number(L.EXPENSES, MONEY_PLACES, MONEY_LIMIT)
            category = row.choice(L.EXPENSE_CATEGORY, EXPENSE_LOOKUP,
                                  N_("'%(value)s' is not a kind of expense. Use one of: %(choices)s."),
                                  EXPENSE_CHOICES_TEXT)
            note = read_text(row.raw(L.EXPENSE_NOTE))
            miles = row.number(L.MILES, MILES_PLACES, MILES_LIMIT)
            vehicle = row.choice(L.VEHICLE, VEHICLE_LOOKUP, N_("'%(value)s' is not a vehicle. Use one of: %(choices)s."),
                                 VEHICLE_CHOICES_TEXT)
            if miles and vehicle is None and L.VEHICLE not in row.bad:
                row.problem(L.VEHICLE, N_("Say which vehicle the miles were in. Use one of: %(choices)s."),
                            choices=VEHICLE_CHOICES_TEXT)
            if vehicle is not None and not miles and L.MILES not in row.bad:
                row.problem(L.MILES, N_("There is a vehicle but no miles. Give the miles, or clear the vehicle."))
            if miles and vehicle is not None and date is not None and L.DATE not in row.bad:
                try:
                    mileage_amount(self.rate_book, date, vehicle, miles)
                except NoMileageRate:
                    row.problem(L.MILES, N_("Remun has no HMRC mileage rate for %(date)s. An administrator can "
                                            "add it on the rates page."), date=date.isoformat())
            if amount is not None and amount > 0 and category is None and L.EXPENSE_CATEGORY not in row.bad:
                row.problem(L.EXPENSE_CATEGORY, N_("Say what the expenses were for. Use one of: %(choices)s."),
                            choices=EXPENSE_CHOICES_TEXT)
            if amount is None and category is not None and L.EXPENSES not in row.bad:
                row.problem(L.EXPENSES, N_("There is an expense category but no amount. Give the amount, or "
                                           "clear the category."))

            meeting_key = None
            if date is not None and title is not None:
                meeting_key = (date, key_of(title))
                plan = self.meetings.get(meeting_key)
                old = self.old_meetings.get(meeting_key)
                if meeting_key not in self.meeting_rows and old is None:
                    if date not in self.unsure_session_dates and meeting_key[1] not in self.unsure_session_titles:
                        row.problem(L.SESSION, N_("There is no session called '%(title)s' on %(date)s on the "
                                                  "Sessions sheet. Add it there, or check the date and the title."),
                                    title=title, date=date.isoformat())
                    else:
                        row.bad.add(L.SESSION)  # reported on the Sessions sheet
                elif hours is None and L.HOURS not in row.bad:
                    # Blank: the length of the session.
                    if plan is not None:
                        hours = plan.hours
                    elif meeting_key not in self.meeting_rows and old is not None:
                        hours = old.hours
            person = self._attendee(row, name) if name is not None else None
            role_key = None
            if person is not None and date is not None and key_of(name) not in self.unsure_names:
                spans = spans_cache.get(id(person))
                if spans is None:
                    spans = spans_cache[id(person)] = self._appointments_of(person)
                roles = sorted({role for role, start, end in spans if start <= date and (end is None or date <= end)})
                if len(roles) == 1:
                    role_key = roles[0]
                elif not roles:
                    row.problem(L.NAME, N_("%(name)s had no role in this project on %(date)s. Check their start "
                                           "and end dates on the People sheet."),
                                name=name, date=date.isoformat())
                else:
                    row.problem(L.NAME, N_("%(name)s had more than one role in this project on %(date)s "
                                           "(%(roles)s). Check their start and end dates on the People sheet."),
                                name=name, date=date.isoformat(), roles=", ".join(self._role_title(r) for r in roles))
            if person is not None and meeting_key is not None:
                seen_key = (meeting_key, id(person))
                if seen_key in seen:
                    row.problem(L.NAME, N_("Row %(other_row)d already has %(name)s at this session. Give each "
                                           "person once for each session."),
                                other_row=seen[seen_key], name=name)
                    continue
                seen[seen_key] = number
            if not row.ok or meeting_key is None or person is None or role_key is None or hours is None:
                continue
            expense = (amount, category, note) if amount and category is not None else None
            self.attendances.append(
                AttendancePlan(number, meeting_key, person, role_key, hours, prep_hours or ZERO,
                                travel_hours or ZERO, expense, (miles, vehicle) if miles and vehicle else None)
            )

    def _check_approved(self) -> None:
        """An attendance approved for payment is never changed by an import (the web editor's rule too).

        Each cell that would change it is listed, so the person can put the cell back or
        reverse the claim first; otherwise approved money and its attendance would differ.
        """
        if not self.approved_on:
            return
        for plan in self.attendances:
            meeting = self.old_meetings.get(plan.meeting_key)
            who = plan.person
            person = who.existing if isinstance(who, PersonPlan) else who
            if meeting is None or person is None:
                continue
            old = self.old_attendances.get((meeting.id, person.id))
            if old is None or old.id not in self.approved_on:
                continue
            role = self.old_roles.get(plan.role_key)
            have = [(expense.amount, expense.category, expense.note or None) for expense in old.expenses]
            wanted = [plan.expense] if plan.expense else []
            changed = [column for column, differs in (
                (L.NAME, role is None or role.id != old.role_id),
                (L.HOURS, plan.hours != old.hours),
                (L.PREP_HOURS, plan.prep_hours != old.prep_hours),
                (L.TRAVEL_HOURS, plan.travel_hours != old.travel_hours),
                (L.EXPENSES, have != wanted),
            ) if differs]
            for column in changed:
                self.problems.append(Problem(
                    L.ATTENDANCE, plan.row, column,
                    N_("This attendance was approved for payment on %(date)s, so the import cannot change it. "
                       "Put the cell back as it was, or reverse the claim first."),
                    {"date": self.approved_on[old.id].isoformat()}))

    def _attendee(self, row: Row, name: str) -> PersonPlan | Person | None:
        key = key_of(name)
        plan = self.people_by_name.get(key)
        if plan is not None:
            return plan
        if key in self.unsure_names:
            row.bad.add(L.NAME)  # their People row has a problem, reported there
            return None
        same_name = self.old_people_by_name.get(key, [])
        if len(same_name) == 1:
            # Someone on the People sheet under another name (found by email) is still one person.
            return self.planned.get(same_name[0].id, same_name[0])
        if same_name:
            row.problem(L.NAME, N_("More than one person called %(name)s is in this project. Add a row for the "
                                   "right one on the People sheet, with their email."), name=name)
        else:
            row.problem(L.NAME, N_("There is no one called %(name)s on the People sheet. Add them there, or "
                                   "check the spelling."), name=name)
        return None

    def _role_title(self, key: str) -> str:
        for plan in self.roles:
            if plan.key == key:
                return plan.title
        role = self.old_roles.get(key)
        return role.title if role else key
