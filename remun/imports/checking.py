"""Checking the Project, Roles and People sheets against themselves and what is already in Remun.

A part of the importer's ``_Import`` (remun/imports/importer.py); problems are collected, nothing is written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleGroup
from remun.money import ZERO
from remun.project_records.rules import UNIT_FOR_BASIS, RateCardProblem, check_rate_card
from remun.imports import N_
from remun.imports import layout as L
from remun.imports.problems import Problem
from remun.imports.cells import RATE_LIMIT, RATE_PLACES, read_text
from remun.imports.layout import heading_key
from remun.imports.plans import AppointmentPlan, PersonPlan, ProjectPlan, RolePlan
from remun.pay.terms import Terms
from remun.imports.rows import (
    BASIS_CHOICES_TEXT,
    BASIS_LOOKUP,
    COST_CENTRE_LIMIT,
    CURRENCY,
    EMAIL,
    EMAIL_LIMIT,
    KIND_CHOICES_TEXT,
    KIND_LOOKUP,
    LANGUAGE_CHOICES_TEXT,
    LANGUAGE_LOOKUP,
    LOCATION_CHOICES_TEXT,
    LOCATION_LOOKUP,
    NAME_LIMIT,
    PAYEE_LIMIT,
    RATE_CARD_LIMIT,
    RECIPROCITY_CHOICES_TEXT,
    RECIPROCITY_LOOKUP,
    Row,
    chunks,
    key_of,
    unit_of,
)


class Checks:
    """The project, roles and people: checked, and matched to the records already in Remun."""

    def check(self) -> None:
        self._check_project()
        self._load_existing()
        self._check_roles()
        self._check_people()
        self._match_people()
        self._check_sessions()
        self._check_attendance()
        self._check_approved()

    def _check_project(self) -> None:
        sheet = self.sheets[L.PROJECT]
        lookup = {heading_key(name): name for name in L.PROJECT_FIELDS}
        found: dict[str, tuple[int, object]] = {}
        for number, cells in sheet.rows:
            row = Row(sheet, number, cells, self.problems)
            label = read_text(row.raw(L.FIELD))
            name = lookup.get(heading_key(label)) if label else None
            if name is None:
                continue  # other rows are notes
            if name in found:
                row.problem(L.FIELD, N_("'%(field)s' is given twice, also on row %(other_row)d. Keep only one."),
                            field=name, other_row=found[name][0])
                continue
            found[name] = (number, row.raw(L.VALUE))

        def row_for(name: str) -> Row:
            number, value = found.get(name, (None, None))
            cells = [None] * (max(sheet.columns.values()) + 1)
            cells[sheet.columns[L.VALUE]] = value
            return Row(sheet, number, tuple(cells), self.problems)  # type: ignore[arg-type]

        if L.PROJECT_NAME not in found:
            self.problems.append(
                Problem(L.PROJECT, None, L.FIELD,
                        N_("The project has no name. Put Name in the Field column, and the project's "
                           "name next to it in the Value column."))
            )
            name = None
        else:
            name = row_for(L.PROJECT_NAME).text(L.VALUE, NAME_LIMIT, N_("Give the project a name."))
        cost_centre = row_for(L.COST_CENTRE).text(L.VALUE, COST_CENTRE_LIMIT)
        currency_row = row_for(L.CURRENCY)
        currency = currency_row.text(L.VALUE)
        if currency is not None:
            if CURRENCY.match(currency.upper()):
                currency = currency.upper()
            else:
                currency_row.problem(L.VALUE, N_("'%(value)s' is not a currency code. Use a three-letter code "
                                                 "such as GBP."), value=currency)
        start = self.project_start = row_for(L.START).date(L.VALUE)
        end_row = row_for(L.END)
        end = end_row.date(L.VALUE)
        if start and end and end < start:
            end_row.problem(L.VALUE, N_("The end date %(end)s is before the start date %(start)s."),
                            end=end.isoformat(), start=start.isoformat())
        location = row_for(L.LOCATION).choice(L.VALUE, LOCATION_LOOKUP,
                                              N_("'%(value)s' is not a location. Use one of: %(choices)s."),
                                              LOCATION_CHOICES_TEXT)
        if name is not None:
            self.project_plan = ProjectPlan(name, cost_centre, currency, start, end, location)

    def _load_existing(self) -> None:
        if self.project_plan is None:
            return
        session = self.session
        name = self.project_plan.name
        # lower() in SQLite only folds A-Z, so the exact name is looked for too.
        candidates = list(session.scalars(
            select(Project).where(or_(Project.name == name, func.lower(Project.name) == name.lower()))
        ))
        exact = [project for project in candidates if project.name == name]
        project = exact[0] if exact else (candidates[0] if len(candidates) == 1 else None)
        if project is None:
            return
        if self.may_update is not None and not self.may_update(project):
            self.problems.append(
                Problem(L.PROJECT, None, L.FIELD,
                        N_("There is already a project called %(name)s, and you do not lead it. "
                           "Give the project another name, or ask an administrator to import the workbook."),
                        {"name": project.name}))
            return
        self.project = project
        for group in session.scalars(select(RoleGroup).where(RoleGroup.project_id == project.id)):
            self.old_groups.setdefault(key_of(group.name), group)
        for role in session.scalars(
            select(Role).where(Role.project_id == project.id).options(selectinload(Role.terms))
        ):
            self.old_roles.setdefault(key_of(role.title), role)
            self.old_role_keys[role.id] = key_of(role.title)
        appointments = list(session.scalars(select(Appointment).join(Role).where(Role.project_id == project.id)))
        for appointment in appointments:
            self.old_appointments[appointment.person_id].append(appointment)
        person_ids = sorted(self.old_appointments)
        for chunk in chunks(person_ids):
            for person in session.scalars(select(Person).where(Person.id.in_(chunk))):
                self.old_people_by_name[key_of(person.name)].append(person)
        for meeting in session.scalars(select(Meeting).where(Meeting.project_id == project.id)):
            self.old_meetings.setdefault((meeting.date, key_of(meeting.title)), meeting)
        for attendance in session.scalars(
            select(Attendance)
            .join(Meeting)
            .where(Meeting.project_id == project.id)
            .options(selectinload(Attendance.expenses))
        ):
            self.old_attendances[(attendance.meeting_id, attendance.person_id)] = attendance
        from remun.ledger.models import Claim, ClaimStatus

        for attendance_id, decided_at in session.execute(
            select(Claim.attendance_id, Claim.decided_at)
            .where(Claim.project_id == project.id, Claim.status == ClaimStatus.APPROVED)
            .order_by(Claim.decided_at.desc())
        ):
            self.approved_on[attendance_id] = decided_at.date()

    def _check_roles(self) -> None:
        sheet = self.sheets[L.ROLES]
        seen: dict[str, int] = {}
        for number, cells in sheet.rows:
            row = Row(sheet, number, cells, self.problems)
            title = row.text(L.ROLE, NAME_LIMIT, N_("Give the role a name."))
            group = row.text(L.GROUP, NAME_LIMIT)
            kind = row.choice(L.KIND, KIND_LOOKUP, N_("'%(value)s' is not a kind of role. Use one of: %(choices)s."),
                              KIND_CHOICES_TEXT, N_("Say what kind of role this is. Use one of: %(choices)s."))
            basis = row.choice(L.BASIS, BASIS_LOOKUP,
                               N_("'%(value)s' is not a way of paying a role. Use one of: %(choices)s."),
                               BASIS_CHOICES_TEXT, N_("Say how the role is paid. Use one of: %(choices)s."))
            rate = row.number(L.RATE, RATE_PLACES, RATE_LIMIT)
            ref = row.text(L.RATE_CARD, RATE_CARD_LIMIT)
            session_hours = row.hours(L.SESSION_HOURS, within_a_day=True)
            prep_hours = row.hours(L.PREP_HOURS)
            prep_paid = row.yes_no(L.PREP_PAID)
            travel_hours = row.hours(L.TRAVEL_HOURS)
            travel_paid = row.yes_no(L.TRAVEL_PAID)
            terms_from = row.date(L.TERMS_FROM)

            if ref is not None:
                ref = "".join(ref.split()).lower()
            if rate is not None and ref is not None:
                row.problem(L.RATE_CARD, N_("Give a rate or a rate card, not both. Clear one of them."))
            elif rate is None and ref is None and not {L.RATE, L.RATE_CARD} & row.bad:
                row.problem(L.RATE, N_("Give the rate, or a rate card in the Rate card column."))
            elif ref is not None and basis is not None:
                try:
                    check_rate_card(self.rate_book, basis, ref)
                except RateCardProblem as problem:
                    if problem.code == "wrong_unit":
                        row.problem(
                            L.RATE_CARD,
                            N_("The rate card '%(ref)s' is a rate per %(unit)s, but the pay basis is "
                               "%(basis)s. Choose a rate card per %(needed)s, or change the pay basis."),
                            ref=ref, unit=unit_of(problem.unit or ""), basis=L.BASIS_LABEL[basis],
                            needed=unit_of(UNIT_FOR_BASIS[basis]),
                        )
                    else:
                        row.problem(
                            L.RATE_CARD,
                            N_("'%(ref)s' is not a rate card Remun knows. Check it against the list on the "
                               "Rates page, for example nhs-scotland-afc/band-7-entry."),
                            ref=ref,
                        )
            if title is not None:
                key = key_of(title)
                self.role_keys.add(key)
                if key in seen:
                    row.problem(L.ROLE, N_("The role '%(role)s' is also on row %(other_row)d. Give each role once."),
                                role=title, other_row=seen[key])
                    continue
                seen[key] = number
            if not row.ok:
                continue
            terms = Terms(basis, rate, ref, session_hours or ZERO, prep_hours or ZERO, prep_paid,
                           travel_hours or ZERO, travel_paid)
            self.roles.append(RolePlan(number, title, key_of(title), group, kind, terms, terms_from))

    def _check_people(self) -> None:
        sheet = self.sheets[L.PEOPLE]
        project_start = self.project_start
        seen_appointments: dict[tuple[int, str, dt.date], int] = {}
        for number, cells in sheet.rows:
            row = Row(sheet, number, cells, self.problems)
            name = row.text(L.NAME, NAME_LIMIT, N_("Give the person's name."))
            role_title = row.text(L.ROLE, required=N_("Say which role they have. Use a role from the Roles sheet."))
            start = row.date(L.START)
            end = row.date(L.END)
            email = row.text(L.EMAIL, EMAIL_LIMIT)
            language = row.choice(L.LANGUAGE, LANGUAGE_LOOKUP,
                                  N_("'%(value)s' is not a language Remun has. Use one of: %(choices)s."),
                                  LANGUAGE_CHOICES_TEXT)
            payee = row.text(L.PAYEE_REFERENCE, PAYEE_LIMIT)
            reciprocity = row.choice(
                L.RECIPROCITY, RECIPROCITY_LOOKUP,
                N_("'%(value)s' is not a way of being paid or thanked. Use one of: %(choices)s."),
                RECIPROCITY_CHOICES_TEXT,
            )
            if email is not None and not EMAIL.match(email):
                row.problem(L.EMAIL, N_("'%(value)s' is not an email address."), value=email)
                email = None
            role_key = key_of(role_title) if role_title else None
            if role_key is not None and role_key not in self.role_keys and role_key not in self.old_roles:
                row.problem(L.ROLE, N_("There is no role called '%(role)s' on the Roles sheet. Add it there, "
                                       "or check the spelling."), role=role_title)
            if start is None and L.START not in row.bad:
                if project_start is not None:
                    start = project_start  # blank: from the start of the project
                else:
                    row.problem(L.START, N_("Give the date they started in this role."))
            if start and end and end < start:
                row.problem(L.END, N_("The end date %(end)s is before the start date %(start)s."),
                            end=end.isoformat(), start=start.isoformat())
            if name is not None and not row.ok:
                self.unsure_names.add(key_of(name))
            if name is None or L.EMAIL in row.bad:
                continue
            person = self._person_for_row(row, name, email)
            if person is None:
                self.unsure_names.add(key_of(name))
                continue
            for column, value, attribute in (
                (L.LANGUAGE, language, "language"),
                (L.PAYEE_REFERENCE, payee, "payee_reference"),
                (L.RECIPROCITY, reciprocity, "reciprocity"),
            ):
                if value is None:
                    continue
                earlier = getattr(person, attribute)
                if earlier is None:
                    setattr(person, attribute, value)
                    person.rows[attribute] = number
                elif earlier != value:
                    row.problem(column, N_("Row %(other_row)d gives %(name)s a different %(column)s. Give the "
                                           "same on every row for one person, or leave it blank."),
                                other_row=person.rows[attribute], name=person.name, column=column)
            if role_key is None or start is None:
                continue
            appointment_key = (id(person), role_key, start)
            if appointment_key in seen_appointments:
                row.problem(L.ROLE, N_("Row %(other_row)d already puts %(name)s in the role '%(role)s' from "
                                       "%(start)s. Give each person's role once."),
                            other_row=seen_appointments[appointment_key], name=person.name, role=role_title,
                            start=start.isoformat())
                continue
            seen_appointments[appointment_key] = number
            if row.ok:
                person.appointments[(role_key, start)] = end
                self.appointments.append(AppointmentPlan(number, person, role_key, start, end))
            else:
                self.unsure_names.add(key_of(name))

    def _person_for_row(self, row: Row, name: str, email: str | None) -> PersonPlan | None:
        """The person a People row is about: the same person may have several rows."""
        name_key = key_of(name)
        by_email = self.people_by_email.get(email.lower()) if email else None
        by_name = self.people_by_name.get(name_key)
        if by_email is not None and by_email is not by_name:
            row.problem(L.EMAIL, N_("Row %(other_row)d gives this email to %(other)s. Use the same name on "
                                    "every row for one person, and a different email for each person."),
                        other_row=by_email.rows["email"], other=by_email.name)
            return None
        if by_name is not None:
            if email and by_name.email and by_name.email.lower() != email.lower():
                row.problem(L.EMAIL, N_("Row %(other_row)d gives %(name)s a different email. If they are two "
                                        "people, give each a name that tells them apart."),
                            other_row=by_name.rows["email"], name=name)
                return None
            if email and not by_name.email:
                by_name.email = email
                by_name.rows["email"] = row.row_number
                self.people_by_email[email.lower()] = by_name
            return by_name
        person = PersonPlan(name=name, row=row.row_number, email=email)
        self.people.append(person)
        self.people_by_name[name_key] = person
        if email:
            person.rows["email"] = row.row_number
            self.people_by_email[email.lower()] = person
        return person

    def _match_people(self) -> None:
        """Find who on the People sheet is already in Remun."""
        wanted = sorted({plan.email for plan in self.people if plan.email} | set(self.people_by_email))
        for chunk in chunks(wanted):
            for person in self.session.scalars(
                select(Person).where(or_(Person.email.in_(chunk), func.lower(Person.email).in_(chunk)))
            ):
                self.old_people_by_email[person.email.lower()] = person
        claimed = self.planned
        for plan in self.people:
            existing = self.old_people_by_email.get(plan.email.lower()) if plan.email else None
            if existing is None:
                same_name = self.old_people_by_name.get(key_of(plan.name), [])
                if len(same_name) > 1:
                    self.problems.append(
                        Problem(L.PEOPLE, plan.row, L.NAME,
                                N_("More than one person called %(name)s is already in this project. Add "
                                   "their email so Remun knows which one you mean."),
                                {"name": plan.name})
                    )
                    continue
                existing = same_name[0] if same_name else None
            if existing is None:
                continue
            if existing.id in claimed:
                other = claimed[existing.id]
                self.problems.append(
                    Problem(L.PEOPLE, plan.row, L.NAME,
                            N_("This row and row %(other_row)d are the same person in Remun (%(name)s). Use "
                               "the same name and email on every row for one person."),
                            {"other_row": other.row, "name": existing.name})
                )
                continue
            claimed[existing.id] = plan
            plan.existing = existing
