"""What each project's parity report is made from, summed from its records, and kept under its version (issue 19).

A parity report is worked out in two steps: its *totals* are summed from the project's records in SQL
(attendance grouped by person, role, terms and hours; the ledger's approved time; the sessions held), then
the rules price and compare them for a day, a rate book and a comparator basis. The totals depend on
nothing but the project's own records, and every write to those moves the project's figures version in
the same transaction (remun/parity/versions.py, migration 0021). So they are kept in the database
(``kept_project_totals``, migration 0022) under the project's token, read *before* the records, and
reused while that token is the current one: by every process, on any later day, and after a change to
the organisation's settings or rate figures (which changes the pricing, not the totals). A change
committed after the token was read moves it, so totals kept under it are never read again.

Summing every project's totals reads every posting (about 5 s at a health board's scale); reading them
kept is one short query. ``remun verify`` sums each kept row's project again and names any that differ
(:func:`check_kept_totals`). No Flask here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal

from sqlalchemy import Date, DateTime, Integer, String, Text, and_, case, delete, distinct, func, null, or_, select, \
    type_coerce
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from remun.parity import from_ledger
from remun.parity.from_ledger import LedgerTime, ledger_time
from remun.parity.versions import Versions, digest
from remun.project_records.models import Attendance, Base, Meeting, Person, Project, Role, RoleTerms

_LEDGER_FIELDS = tuple(item.name for item in fields(LedgerTime))


@dataclass
class ProjectTotals:
    """One project's records summed for its parity report (never a row per attendance in Python)."""

    #: (person id, name, role id, terms id, priced on, hours, prep, travel, attendances), by person and role
    paid: list[tuple] = field(default_factory=list)
    #: role id -> sessions the role attended
    sessions_by_role: dict[int, int] = field(default_factory=dict)
    #: sessions anyone attended
    sessions: int = 0
    #: sessions planned (attended or not)
    meetings: int = 0
    #: (person id, role id) -> approved time from the ledger
    ledger: dict[tuple[int, int], LedgerTime] = field(default_factory=dict)


def _terms_in_force(project_ids: list[int] | None):
    """Each pay terms row with the dates it is in force: from its start (the first from ever) to the next one's."""
    following = func.lead(RoleTerms.effective_from).over(partition_by=RoleTerms.role_id, order_by=RoleTerms.effective_from)
    position = func.row_number().over(partition_by=RoleTerms.role_id, order_by=RoleTerms.effective_from)
    query = select(
        RoleTerms.id.label("terms_id"), RoleTerms.role_id, RoleTerms.effective_from.label("starts"),
        following.label("ends"), position.label("position"), RoleTerms.rate_card_ref,
    )
    if project_ids is not None:  # only these projects' terms (SQLite cannot push the filter into a window)
        query = query.where(RoleTerms.role_id.in_(select(Role.id).where(Role.project_id.in_(project_ids))))
    return query.subquery()


def summed_totals(session: Session, project_ids: list[int] | None = None) -> dict[int, ProjectTotals]:
    """Project id -> its totals, for the projects asked about (every project for None), in a fixed number of
    queries however many there are.

    Attendance is grouped by person, role, the terms in force on the session's date and hours: pay
    depends only on the terms, the hours and (for a rate-card rate) the day, so equal attendances are
    counted together and priced once. Matches Role.terms_on: before the first terms' date the first
    terms apply.
    """
    ids = project_ids if project_ids is not None else list(session.scalars(select(Project.id)))
    found = {project_id: ProjectTotals() for project_id in ids}
    in_project = (lambda query: query.where(Meeting.project_id.in_(project_ids))) if project_ids is not None \
        else (lambda query: query)
    terms = _terms_in_force(project_ids)
    priced_on = type_coerce(case((terms.c.rate_card_ref.is_(None), null()), else_=Meeting.date), Date)
    keys = (Meeting.project_id, Attendance.person_id, Attendance.role_id, terms.c.terms_id, priced_on.label("priced_on"),
            Attendance.hours, Attendance.prep_hours, Attendance.travel_hours)
    # Grouped first and named afterwards: the people's names are not sort or hash keys for every
    # attendance row, and only the grouped rows are ordered (PostgreSQL then hashes the groups in
    # memory instead of sorting every attendance on disk).
    grouped = in_project(
        select(*keys, func.count().label("attendances"))
        .select_from(Attendance)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(terms, and_(terms.c.role_id == Attendance.role_id,
                          or_(terms.c.position == 1, terms.c.starts <= Meeting.date),
                          or_(terms.c.ends.is_(None), Meeting.date < terms.c.ends)))
    ).group_by(*keys).subquery()
    rows = session.execute(
        select(grouped.c.project_id, grouped.c.person_id, Person.name, grouped.c.role_id, grouped.c.terms_id,
               grouped.c.priced_on, grouped.c.hours, grouped.c.prep_hours, grouped.c.travel_hours, grouped.c.attendances)
        .join(Person, grouped.c.person_id == Person.id)
        .order_by(grouped.c.project_id, grouped.c.person_id, grouped.c.role_id)
    )
    for project_id, *rest in rows:
        if project_id in found:  # a project made since its ids were read waits for the next request
            found[project_id].paid.append(tuple(rest))
    attended = select(Meeting.project_id, Attendance.role_id, func.count(distinct(Attendance.meeting_id))) \
        .join(Meeting, Attendance.meeting_id == Meeting.id).group_by(Meeting.project_id, Attendance.role_id)
    for project_id, role_id, sessions in session.execute(in_project(attended)):
        if project_id in found:
            found[project_id].sessions_by_role[role_id] = sessions
    any_role = select(Meeting.project_id, func.count(distinct(Attendance.meeting_id))) \
        .join(Meeting, Attendance.meeting_id == Meeting.id).group_by(Meeting.project_id)
    for project_id, sessions in session.execute(in_project(any_role)):
        if project_id in found:
            found[project_id].sessions = sessions
    planned = select(Meeting.project_id, func.count(Meeting.id)).group_by(Meeting.project_id)
    for project_id, meetings in session.execute(in_project(planned)):
        if project_id in found:
            found[project_id].meetings = meetings
    for (project_id, person_id, role_id), entry in ledger_time(session, project_ids).items():
        if project_id in found:
            found[project_id].ledger[(person_id, role_id)] = entry
    return found


# --- kept in the database ------------------------------------------------------------------------------

#: The code that sums the totals, as a digest: a release that sums them differently never reads totals
#: that an earlier one kept (they are kept under it as well as under the project's token).
SUMMING_CODE = hashlib.sha256(b"".join(Path(path).read_bytes() for path in (__file__, from_ledger.__file__))).hexdigest()


def kept_under(versions: Versions, project_id: int) -> str:
    """What a project's totals are kept under: its token as read (``versions``) and the summing code."""
    return digest("totals", project_id, versions.projects.get(project_id), SUMMING_CODE)


class KeptTotals(Base):
    """One project's totals, as summed under the project's figures version ``token``."""

    __tablename__ = "kept_project_totals"

    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no foreign key: see keep_totals
    #: :func:`kept_under`: the project's figures token, read before its records were summed, and the code
    token: Mapped[str] = mapped_column(String(64))
    #: :func:`totals_json` of the totals
    totals: Mapped[str] = mapped_column(Text)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def totals_json(totals: ProjectTotals) -> str:
    """The totals as JSON text, in a fixed order (equal texts are equal totals); exact: decimals as text."""
    paid = sorted([person_id, name, role_id, terms_id, priced_on.isoformat() if priced_on else None,
                   str(hours), str(prep), str(travel), count]
                  for person_id, name, role_id, terms_id, priced_on, hours, prep, travel, count in totals.paid)
    ledger = sorted([person_id, role_id, *(str(getattr(entry, name)) for name in _LEDGER_FIELDS)]
                    for (person_id, role_id), entry in totals.ledger.items())
    return json.dumps({"paid": paid, "sessions_by_role": sorted(totals.sessions_by_role.items()),
                       "sessions": totals.sessions, "meetings": totals.meetings, "ledger": ledger},
                      separators=(",", ":"))


def totals_from_json(text: str) -> ProjectTotals:
    data = json.loads(text)
    paid = [(person_id, name, role_id, terms_id, dt.date.fromisoformat(priced_on) if priced_on else None,
             Decimal(hours), Decimal(prep), Decimal(travel), count)
            for person_id, name, role_id, terms_id, priced_on, hours, prep, travel, count in data["paid"]]
    ledger = {}
    for person_id, role_id, sessions, *amounts in data["ledger"]:
        ledger[(person_id, role_id)] = LedgerTime(int(sessions), *(Decimal(amount) for amount in amounts))
    return ProjectTotals(paid=paid, sessions_by_role=dict(data["sessions_by_role"]), sessions=data["sessions"],
                         meetings=data["meetings"], ledger=ledger)


def _kept_as_json(session: Session, versions: Versions, project_ids: list[int] | None = None) -> dict[int, str]:
    """The totals kept (as JSON) for these projects, or every project for None, under their current tokens
    (``versions``, read before)."""
    query = select(KeptTotals.project_id, KeptTotals.token, KeptTotals.totals)
    chunks = [query] if project_ids is None else [  # a bounded statement however many projects
        query.where(KeptTotals.project_id.in_(project_ids[start:start + 500]))
        for start in range(0, len(project_ids), 500)]
    return {project_id: text for chunk in chunks for project_id, token, text in session.execute(chunk)
            if token == kept_under(versions, project_id)}


def kept_totals(session: Session, versions: Versions, project_ids: list[int]) -> dict[int, ProjectTotals]:
    """The totals kept for these projects under their current tokens (``versions``, read before)."""
    return {project_id: totals_from_json(text)
            for project_id, text in _kept_as_json(session, versions, project_ids).items()}


def keep_totals(new_session: Callable[[], Session], versions: Versions, totals: dict[int, ProjectTotals]) -> None:
    """Keep totals just summed under the tokens read before them, in a transaction of their own (the
    request's may only read), one row a project. A deleted project's row is removed with the next keep
    (no foreign key: keeping must never wait on, or fail with, a project being deleted)."""
    rows = [{"project_id": project_id, "token": kept_under(versions, project_id), "totals": totals_json(found)}
            for project_id, found in totals.items() if project_id in versions.projects]
    if not rows:
        return
    with new_session() as session:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(KeptTotals)
        session.execute(statement.on_conflict_do_update(
            index_elements=[KeptTotals.project_id],
            set_={"token": statement.excluded.token, "totals": statement.excluded.totals, "made_at": func.now()}),
            rows)
        session.execute(delete(KeptTotals).where(KeptTotals.project_id.not_in(select(Project.id))))
        session.commit()


def check_kept_totals(session: Session, versions: Versions) -> list[str]:
    """Each project's kept totals under its current token, summed again from the records and compared:
    a sentence for each that differs (none when all are right)."""
    kept = _kept_as_json(session, versions)
    if not kept:
        return []
    fresh = summed_totals(session, sorted(kept))
    names = dict(session.execute(select(Project.id, Project.name).where(Project.id.in_(list(kept)))).all())
    return [f"the parity totals kept for project {names[project_id]!r} under its current figures version differ "
            "from its records summed again (a change did not move the version)"
            for project_id, text in sorted(kept.items())
            if project_id in fresh and project_id in names and totals_json(fresh[project_id]) != text]


#: Missing projects are summed with a filter on their ids while they are at most this share of all.
RESTRICT_SHARE = 0.5


def totals_for(session: Session, versions: Versions, project_ids: list[int],
               keep_with: Callable[[], Session] | None, of_every_project: bool = False,
               in_memory: dict[int, tuple[str, ProjectTotals]] | None = None) -> dict[int, ProjectTotals]:
    """These projects' totals: ones kept under their current tokens (in ``in_memory``, this process's,
    else in the database), the rest summed in one pass and kept (in the database when ``keep_with``
    makes sessions to keep them with). ``versions`` must be read before this is called;
    ``of_every_project``: ``project_ids`` are every project (when most are missing, one pass over
    everything is cheaper than a filter on their ids)."""
    found = {}
    if in_memory is not None:
        for project_id in project_ids:
            kept = in_memory.get(project_id)
            if kept is not None and kept[0] == kept_under(versions, project_id):
                found[project_id] = kept[1]
    unread = [project_id for project_id in project_ids if project_id not in found]
    found.update(kept_totals(session, versions, unread) if unread else {})
    missing = [project_id for project_id in project_ids if project_id not in found]
    if missing:
        every = of_every_project and len(missing) > RESTRICT_SHARE * len(project_ids)
        summed = summed_totals(session, None if every else missing)
        summed = {project_id: summed[project_id] for project_id in missing if project_id in summed}
        if keep_with is not None:
            keep_totals(keep_with, versions, summed)
        found.update(summed)
    if in_memory is not None:
        for project_id in unread:
            if project_id in found:
                in_memory[project_id] = (kept_under(versions, project_id), found[project_id])
    return found
