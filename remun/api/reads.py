"""What the API reads: the same records, under the same rules, as the pages.

Who may call each path is in ``remun.web.permissions.RULES`` (a lead: their
projects; finance: everything; a participant: their own record and claims);
lists are narrowed with the pages' own queries (``visible_projects``,
``visible_people``).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from remun.accounts.models import ProjectLead, UserRole
from remun.api import schemas
from remun.api.pagination import page, page_of_list
from remun.api.problems import register_handlers
from remun.ledger import balances as ledger_balances
from remun.ledger import claims as ledger_claims
from remun.ledger.models import Claim, PaymentBatch
from remun.project_records.models import Attendance, Meeting, Person, Project, Role, RoleGroup
from remun.parity.report_json import report_as_json
from remun.project_records import operations as records_operations
from remun.parity.report_cache import cached_project_parity
from remun.web.extensions import db
from remun.web.pages import commit, current_user_id, kept_parity, rate_book
from remun.web.permissions import visible_people, visible_projects

bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="Projects, equal roles, roles, people, sessions, attendance, claims, payments, "
                           "parity, balances and rates.")
register_handlers(bp)

#: A record's id in an address: what the database's ids can hold (a larger number is no record: 404).
ID = "int(min=1, max=2147483647)"


def project_or_404(project_id: int) -> Project:
    return db.get_or_abort(Project, project_id)


def in_project(model, record_id: int, project_id: int):
    found = db.session.get(model, record_id)
    if found is None or found.project_id != project_id:
        abort(404)
    return found


@bp.get("/me")
@bp.response(200, schemas.MeSchema)
def me():
    """Who the token belongs to, and what it may do."""
    user = current_user.user
    project_ids = list(db.session.scalars(select(ProjectLead.project_id).where(ProjectLead.user_id == user.id)
                                          .order_by(ProjectLead.project_id)))
    return {"id": user.id, "role": user.role, "person_id": user.person_id, "project_ids": project_ids,
            "token_scope": current_user.token.scope.value}


@bp.get("/projects")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.ProjectSchema))
def projects(args):
    """The projects you may see (a lead: the ones they lead)."""
    return page(visible_projects(select(Project)), Project.id, args)


@bp.get(f"/projects/<{ID}:project_id>")
@bp.response(200, schemas.ProjectSchema)
def project(project_id: int):
    """One project."""
    return project_or_404(project_id)


@bp.get(f"/projects/<{ID}:project_id>/equal-roles")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.EqualRoleSchema))
def equal_roles(args, project_id: int):
    """The project's groups of equal roles, whose pay is compared."""
    project_or_404(project_id)
    return page(select(RoleGroup).where(RoleGroup.project_id == project_id), RoleGroup.id, args)


@bp.get(f"/projects/<{ID}:project_id>/roles")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.RoleSchema))
def roles(args, project_id: int):
    """The project's roles, each with its pay terms (a change of terms adds terms from a date)."""
    project_or_404(project_id)
    return page(select(Role).where(Role.project_id == project_id), Role.id, args)


@bp.get(f"/projects/<{ID}:project_id>/roles/<{ID}:role_id>")
@bp.response(200, schemas.RoleSchema)
def role(project_id: int, role_id: int):
    """One role and its pay terms."""
    project_or_404(project_id)
    return in_project(Role, role_id, project_id)


@bp.get(f"/projects/<{ID}:project_id>/sessions")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.SessionSchema))
def sessions(args, project_id: int):
    """The project's sessions (meetings)."""
    project_or_404(project_id)
    return page(select(Meeting).where(Meeting.project_id == project_id), Meeting.id, args)


@bp.get(f"/projects/<{ID}:project_id>/sessions/<{ID}:session_id>/attendance")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.AttendanceSchema))
def attendance(args, project_id: int, session_id: int):
    """Who took part in a session, in which role, for how long, and their expenses."""
    project_or_404(project_id)
    in_project(Meeting, session_id, project_id)
    return page(select(Attendance).where(Attendance.meeting_id == session_id), Attendance.id, args)


@bp.get(f"/projects/<{ID}:project_id>/claims")
@bp.arguments(schemas.ClaimPageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.ClaimSchema))
def claims(args, project_id: int):
    """The project's claims, brought up to date from attendance first, as the Claims page does."""
    project_or_404(project_id)
    ledger_claims.sync_claims(db.session, rate_book(), project_id=project_id, user_id=current_user.id)
    commit()
    query = select(Claim).where(Claim.project_id == project_id)
    if args.get("status") is not None:
        query = query.where(Claim.status == args["status"])
    return page(query, Claim.id, args)


@bp.get(f"/projects/<{ID}:project_id>/parity")
@bp.response(200, schemas.ParitySchema)
def parity(project_id: int):
    """The project's parity report, as on its Pay parity page."""
    project_or_404(project_id)
    report = cached_project_parity(db.session, project_id, **kept_parity())  # the pages' kept reports
    return {"project_id": project_id, "report": report_as_json(report)}


@bp.get(f"/projects/<{ID}:project_id>/balances")
@bp.response(200, schemas.ProjectBalancesSchema)
def balances(project_id: int):
    """What the project has cost, and what each person is owed, has been paid or given."""
    project_or_404(project_id)
    found = ledger_balances.project_balances(db.session, project_id)
    return {"project_id": project_id, "project_cost": found.project_cost, "cost_time": found.cost_time,
            "cost_expenses": found.cost_expenses, "people": found.people}


@bp.get(f"/projects/<{ID}:project_id>/batches")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.BatchSchema))
def batches(args, project_id: int):
    """The project's payment batches."""
    project_or_404(project_id)
    return page(select(PaymentBatch).where(PaymentBatch.project_id == project_id), PaymentBatch.id, args)


@bp.get(f"/projects/<{ID}:project_id>/batches/<{ID}:batch_id>")
@bp.response(200, schemas.BatchSchema)
def batch(project_id: int, batch_id: int):
    """One payment batch, with what it pays each claim."""
    project_or_404(project_id)
    return in_project(PaymentBatch, batch_id, project_id)


@bp.get("/people")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.PersonSchema))
def people(args):
    """The people you may see (a lead: the people they work with)."""
    return page(visible_people(select(Person)), Person.id, args)


@bp.get(f"/people/<{ID}:person_id>")
@bp.response(200, schemas.PersonSchema)
def person(person_id: int):
    """One person's details (recorded in the audit log, as on their page)."""
    found = db.get_or_abort(Person, person_id)
    records_operations.viewed(db.session, current_user_id(), found)
    commit()  # the look is recorded whatever happens next
    return found


@bp.get(f"/people/<{ID}:person_id>/claims")
@bp.arguments(schemas.ClaimPageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.ClaimSchema))
def person_claims(args, person_id: int):
    """A person's claims (a lead: only in the projects they lead)."""
    db.get_or_abort(Person, person_id)
    query = select(Claim).where(Claim.person_id == person_id)
    if current_user.role is UserRole.LEAD:
        query = query.where(Claim.project_id.in_(
            select(ProjectLead.project_id).where(ProjectLead.user_id == current_user.id)))
    if args.get("status") is not None:
        query = query.where(Claim.status == args["status"])
    return page(query, Claim.id, args)


@bp.get(f"/people/<{ID}:person_id>/balance")
@bp.response(200, schemas.BalanceSchema)
def person_balance(person_id: int):
    """What a person is owed, has been paid and has been given, across every project."""
    db.get_or_abort(Person, person_id)
    return ledger_balances.person_balance(db.session, person_id)


@bp.get("/rates")
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.RateSchema))
def rates(args):
    """The published rates Remun uses (rate cards, and the organisation's own figures)."""
    entries = sorted(rate_book().entries(), key=lambda entry: (entry.ref, entry.effective_from))
    return page_of_list(entries, args)
