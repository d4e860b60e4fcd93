"""Who may use each page: one table, checked before every request, denying anything not in it.

Every endpoint of the app has a ``Rule``. A rule names, for each kind of
account, the *scope* in which it may use the page: everywhere, the projects a
lead leads, the people a lead works with, or a participant's own record.
Administrators may use every page. Pages with no rule are refused to
everyone (and the test suite fails until the new page gets one).

Records reached by their own id are checked through what they belong to: a
project's roles, sessions and appointments carry ``project_id`` in the
address (the views return 404 when the record is not in that project), and a
person is checked through the projects they take part in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String, cast, exists, select
from sqlalchemy.sql import Select

from remun.accounts.models import AuditEvent, ProjectLead, User, UserRole
from remun.budget.access import their_budgets
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Role
from remun.translation import N_
from remun.web.extensions import csrf, db

#: A scope: may this user use the page with these address values?
Scope = Callable[[User, Mapping[str, Any]], bool]


def everywhere(user: User, args: Mapping[str, Any]) -> bool:
    return True


def their_projects(user: User, args: Mapping[str, Any]) -> bool:
    """A lead, on pages of a project they lead (the address holds ``project_id``)."""
    project_id = args.get("project_id")
    if project_id is None:
        return False
    return db.session.get(ProjectLead, (user.id, int(project_id))) is not None


def people_they_work_with(user: User, args: Mapping[str, Any]) -> bool:
    """A lead, on the pages of a person in one of their projects (or whom they added)."""
    person_id = args.get("person_id")
    if person_id is None:
        return False
    return db.session.scalar(
        select(Person.id).where(Person.id == int(person_id), lead_can_see(user))
    ) is not None


def themselves(user: User, args: Mapping[str, Any]) -> bool:
    """A participant, on their own person's pages."""
    person_id = args.get("person_id")
    return person_id is not None and user.person_id is not None and int(person_id) == user.person_id


def leads_may_create(user: User, args: Mapping[str, Any]) -> bool:
    """A lead, while the organisation lets leads create projects (``projects.leads_may_create``)."""
    from remun.organisation.settings import get_setting

    return bool(get_setting(db.session, "projects.leads_may_create"))


def their_drafts_when_leads_may_create(user: User, args: Mapping[str, Any]) -> bool:
    """A lead turning their own draft budget into a project, while leads may create projects."""
    return leads_may_create(user, args) and their_budgets(user, args)


@dataclass(frozen=True)
class Rule:
    #: Anyone, signed in or not.
    public: bool = False
    #: Kind of account -> where it may use the page. Administrators may always.
    allow: Mapping[UserRole, Scope] = field(default_factory=dict)
    #: Refuse (with a message) when the person in the address has been erased.
    refuse_erased: bool = False
    #: Nobody at all, administrators included (pages missing from the table).
    nobody: bool = False

    def allows(self, user: Any, args: Mapping[str, Any]) -> bool:
        if self.nobody:
            return False
        if self.public:
            return True
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        if user.role is UserRole.ADMIN:
            return True
        scope = self.allow.get(user.role)
        return scope is not None and scope(user, args)

    def describe(self) -> str:
        if self.public:
            return "anyone"
        parts = ["admin"] + [f"{role.value} ({scope.__name__.replace('_', ' ')})" for role, scope in self.allow.items()]
        return ", ".join(parts)


def rule(*, lead: Scope | None = None, finance: Scope | None = None, participant: Scope | None = None,
         refuse_erased: bool = False) -> Rule:
    allow = {role: scope for role, scope in
             ((UserRole.LEAD, lead), (UserRole.FINANCE, finance), (UserRole.PARTICIPANT, participant)) if scope}
    return Rule(allow=allow, refuse_erased=refuse_erased)


PUBLIC = Rule(public=True)
ADMIN = rule()
SIGNED_IN = rule(lead=everywhere, finance=everywhere, participant=everywhere)
STAFF = rule(lead=everywhere, finance=everywhere)
#: Finance reads every project; leads read and change their own.
READ_PROJECT = rule(lead=their_projects, finance=everywhere)
CHANGE_PROJECT = rule(lead=their_projects)

@dataclass(frozen=True)
class OwnOnly(Rule):
    """Only the participant whose record it is: not staff, not even administrators (issue 6: benefits)."""

    def allows(self, user: Any, args: Mapping[str, Any]) -> bool:
        return (getattr(user, "is_authenticated", False) and user.role is UserRole.PARTICIPANT
                and themselves(user, args))

    def describe(self) -> str:
        return "participant (themselves only)"


RULES: dict[str, Rule] = {
    # Open to anyone
    "static": PUBLIC,
    "home.set_language": PUBLIC,
    "glossary.index": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.accept_invitation": PUBLIC,
    "health.healthz": PUBLIC,  # issue 21: for load balancers and monitoring, no data
    "health.readyz": PUBLIC,
    # Any account
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.sign_out": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "tokens.index": SIGNED_IN,  # issue 20: personal access tokens for the API, each person their own
    "tokens.new": SIGNED_IN,
    "tokens.revoke": SIGNED_IN,  # the operation refuses another account's token
    # Start, lists and reference pages for staff
    "home.index": SIGNED_IN,  # a participant is sent on to their own home
    "projects.index": STAFF,
    "parity.calculator": STAFF,
    "rates.index": STAFF,
    "rates.add_figure": ADMIN,
    "rates.end_figure": ADMIN,
    "rates.withdraw_figure": ADMIN,
    "imports.template": STAFF,
    "parity.organisation": rule(finance=everywhere),
    # Projects
    # A lead who creates a project (or imports a workbook of a new one) becomes its lead; a workbook
    # naming a project they do not lead is refused by the import. The organisation can keep creating
    # projects to administrators (projects.leads_may_create), and then nobody else is shown the way.
    "projects.new": rule(lead=leads_may_create),
    "projects.delete": ADMIN,
    "projects.leads": ADMIN,
    "imports.upload": rule(lead=leads_may_create),
    "settings.index": ADMIN,
    "projects.show": READ_PROJECT,
    "projects.edit": CHANGE_PROJECT,
    "projects.new_group": CHANGE_PROJECT,
    "projects.edit_group": CHANGE_PROJECT,
    "projects.delete_group": CHANGE_PROJECT,
    "roles.show": READ_PROJECT,
    "roles.new": CHANGE_PROJECT,
    "roles.edit": CHANGE_PROJECT,
    "roles.new_terms": CHANGE_PROJECT,
    "roles.delete": CHANGE_PROJECT,
    "meetings.index": READ_PROJECT,
    "meetings.show": READ_PROJECT,
    "meetings.new": CHANGE_PROJECT,
    "meetings.edit": CHANGE_PROJECT,
    "meetings.delete": CHANGE_PROJECT,
    "meetings.new_attendance": CHANGE_PROJECT,
    "meetings.several_attendance": CHANGE_PROJECT,
    "meetings.confirm_told": CHANGE_PROJECT,
    "meetings.decline_told": CHANGE_PROJECT,
    "meetings.edit_attendance": CHANGE_PROJECT,
    "meetings.delete_attendance": CHANGE_PROJECT,
    "parity.project": READ_PROJECT,
    "parity.project_json": READ_PROJECT,
    "people.new_appointment": CHANGE_PROJECT,
    "people.edit_appointment": CHANGE_PROJECT,
    "people.delete_appointment": CHANGE_PROJECT,
    # People (leads see only the people they work with; the list is filtered the same way)
    "people.index": rule(lead=everywhere, finance=everywhere),
    "people.new": rule(lead=everywhere),
    "people.show": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    "people.edit": rule(lead=people_they_work_with, refuse_erased=True),
    "people.delete": ADMIN,  # removes their roles in every project
    "auth.person_account": rule(lead=people_they_work_with),
    "admin.person_data": rule(participant=themselves),
    "admin.person_data_download": rule(participant=themselves),
    "admin.erase_person": ADMIN,
    # Administration
    "auth.users": ADMIN,
    "auth.new_user": ADMIN,
    "auth.user": ADMIN,
    "auth.edit_user": ADMIN,
    "auth.user_link": ADMIN,
    "auth.deactivate_user": ADMIN,
    "auth.reactivate_user": ADMIN,
    "admin.audit": ADMIN,
    "settings.parity": ADMIN,  # issue 18: the comparator basis and the tax-year threshold
    # Issue 20: account codes for accounting import files are finance's (administrators too).
    "settings.accounting": rule(finance=everywhere),
    "settings.project_accounting": rule(finance=everywhere),
    # Issue 18: papers a participant needs, opened by the person or by their lead for them.
    "papers.benefits_letter": rule(lead=people_they_work_with, participant=themselves),
    "papers.year_statement": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    # The ledger (issue 4): leads approve their projects' claims; finance pays every project.
    "ledger.claims": rule(lead=their_projects, finance=everywhere),
    "ledger.reject": rule(lead=their_projects, finance=everywhere),
    "ledger.reverse": rule(lead=their_projects, finance=everywhere),
    "ledger.project_ledger": READ_PROJECT,
    "ledger.batches": rule(finance=everywhere),
    "ledger.batch": rule(finance=everywhere),
    "ledger.statement": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    "ledger.months": rule(finance=everywhere),
    "ledger.close_month": rule(finance=everywhere),
    # Budgets (issue 10): leads plan their projects' budgets and their own drafts; finance reads every budget.
    "budget.index": STAFF,
    "budget.new_draft": rule(lead=everywhere),
    "budget.for_project": READ_PROJECT,
    "budget.new_for_project": CHANGE_PROJECT,
    "budget.show": rule(lead=their_budgets, finance=everywhere),
    "budget.workbook": rule(lead=their_budgets, finance=everywhere),
    "budget.edit": rule(lead=their_budgets),
    "budget.delete": rule(lead=their_budgets),
    "budget.new_role": rule(lead=their_budgets),
    "budget.edit_role": rule(lead=their_budgets),
    "budget.delete_role": rule(lead=their_budgets),
    "budget.new_line": rule(lead=their_budgets),
    "budget.edit_line": rule(lead=their_budgets),
    "budget.delete_line": rule(lead=their_budgets),
    "budget.new_item": rule(lead=their_budgets),
    "budget.edit_item": rule(lead=their_budgets),
    "budget.delete_item": rule(lead=their_budgets),
    "budget.make_project": rule(lead=their_drafts_when_leads_may_create),  # as projects.new
    # Finance exports (issue 7): finance every project; a lead only theirs (the view checks the projects asked for).
    "exports.index": STAFF,
    "exports.download": STAFF,
    "exports.batch_workbook_file": READ_PROJECT,
    "exports.batch_csv_file": READ_PROJECT,
    # Issue 20: accounting import files, as the batch files.
    "exports.batch_accounting_file": READ_PROJECT,
    "exports.in_kind_accounting_file": READ_PROJECT,
    # Background jobs (issue 19): the view refuses anyone but the job's owner (and administrators).
    "jobs.show": STAFF,
    "jobs.download": STAFF,
    "jobs.retry": STAFF,
    # Reciprocity (issue 6): a participant's own pages; a lead may use them for a person they work with.
    # The benefits pages are the person's alone (the view refuses anyone else, administrators included).
    "participant.home": rule(lead=people_they_work_with, participant=themselves),
    "participant.choose": rule(lead=people_they_work_with, participant=themselves),
    "participant.choose_details": rule(lead=people_they_work_with, participant=themselves),
    "participant.choose_split": rule(lead=people_they_work_with, participant=themselves),
    "participant.sessions": rule(lead=people_they_work_with, participant=themselves),
    "participant.submit_session": rule(lead=people_they_work_with, participant=themselves),
    "participant.tell_session": rule(lead=people_they_work_with, participant=themselves),
    "participant.receipt": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    "participant.benefits_question": OwnOnly(),
    "participant.benefits_information": OwnOnly(),
    "reciprocity.project": READ_PROJECT,
    "reciprocity.vouchers": rule(finance=everywhere),
    "reciprocity.training": rule(finance=everywhere),
    "reciprocity.donations": rule(finance=everywhere),
    # The JSON API (issue 20): a personal access token in place of signing in (remun/api/auth.py),
    # under the same rules as the pages; its lists are narrowed the same way.
    "api_docs.openapi_json": PUBLIC,  # describes the API, holds no data
    "api_docs.docs": PUBLIC,
    "api.me": SIGNED_IN,
    "api.projects": STAFF,
    "api.project": READ_PROJECT,
    "api.equal_roles": READ_PROJECT,
    "api.roles": READ_PROJECT,
    "api.role": READ_PROJECT,
    "api.sessions": READ_PROJECT,
    "api.attendance": READ_PROJECT,
    "api.claims": READ_PROJECT,
    "api.parity": READ_PROJECT,
    "api.balances": READ_PROJECT,
    "api.people": rule(lead=everywhere, finance=everywhere),
    "api.person": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    "api.person_claims": rule(lead=people_they_work_with, finance=everywhere, participant=themselves),
    "api.person_balance": rule(finance=everywhere, participant=themselves),  # every project's money
    "api.rates": STAFF,
    "api.approve_claims": rule(lead=their_projects, finance=everywhere),
    "api.reject_claim": rule(lead=their_projects, finance=everywhere),
    "api.reverse_claim": rule(lead=their_projects, finance=everywhere),
    "api.batches": rule(finance=everywhere),
    "api.batch": rule(finance=everywhere),
    "api.create_batch": rule(finance=everywhere),
    "api.mark_batch_paid": rule(finance=everywhere),
    "api.batch_file": rule(finance=everywhere),
}

#: Used for any endpoint missing from RULES: nobody.
DENY = Rule(nobody=True)


def rule_for(endpoint: str) -> Rule | None:
    return RULES.get(endpoint)


def lead_can_see(user: User):
    """SQL condition on Person: in a role or session of a project the lead leads, or added by them."""
    led = select(ProjectLead.project_id).where(ProjectLead.user_id == user.id)
    in_role = exists().where(Appointment.person_id == Person.id, Appointment.role_id == Role.id,
                             Role.project_id.in_(led))
    attended = exists().where(Attendance.person_id == Person.id, Attendance.meeting_id == Meeting.id,
                              Meeting.project_id.in_(led))
    added = exists().where(AuditEvent.action == "person.created", AuditEvent.object_type == "person",
                           AuditEvent.object_id == cast(Person.id, String), AuditEvent.user_id == user.id)
    return in_role | attended | added


def visible_people(query: Select, user: Any = None) -> Select:
    """Narrow a query of people to those the signed-in user may see."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return query.where(False)
    if user.role in (UserRole.ADMIN, UserRole.FINANCE):
        return query
    if user.role is UserRole.LEAD:
        return query.where(lead_can_see(user))
    return query.where(Person.id == user.person_id)


def visible_projects(query: Select, user: Any = None) -> Select:
    """Narrow a query of projects to those the signed-in user may open (a lead: the ones they lead)."""
    from remun.project_records.models import Project

    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return query.where(False)
    if user.role in (UserRole.ADMIN, UserRole.FINANCE):
        return query
    if user.role is UserRole.LEAD:
        return query.where(Project.id.in_(select(ProjectLead.project_id).where(ProjectLead.user_id == user.id)))
    return query.where(False)


def may_open(path: str | None, method: str = "GET") -> bool:
    """May the signed-in user open this path of the site (a ``next`` address, a way back)?"""
    from urllib.parse import urlsplit

    from werkzeug.exceptions import HTTPException

    if not path:
        return False
    parts = urlsplit(path)
    try:
        endpoint, args = current_app.url_map.bind("localhost").match(parts.path, method=method)
    except HTTPException:
        return False
    return RULES.get(endpoint, DENY).allows(current_user, args)


def open_crumbs(crumbs: list[dict]) -> list[dict]:
    """Breadcrumbs the person may follow keep their link; the others are shown as plain text."""
    return [crumb if not crumb.get("href") or may_open(crumb["href"]) else
            {key: value for key, value in crumb.items() if key != "href"} for crumb in crumbs]


def can(endpoint: str, **args: Any) -> bool:
    """May the signed-in user use this page? For hiding links they could not follow."""
    return may_use(current_user._get_current_object(), endpoint, args)


def may_use(user: Any, endpoint: str, args: Mapping[str, Any]) -> bool:
    """May ``user`` (the account itself, not Flask-Login's proxy: each look through it costs) use this page?"""
    return RULES.get(endpoint, DENY).allows(user, args)


def _sign_in_redirect():
    target = request.full_path if request.method in ("GET", "HEAD") else None
    if target and target.endswith("?"):
        target = target[:-1]
    return redirect(url_for("auth.sign_in", next=target) if target else url_for("auth.sign_in"))


def check_request():
    """Runs before every request, before the view and before form checks."""
    # Flask-Login keeps the user in ``g``; never reuse one from an earlier request
    # (the app context, and so ``g``, can outlive a request, as in the tests).
    g.pop("_login_user", None)
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no such page: the 404 (or 405) follows
    rule_ = RULES.get(endpoint)
    if rule_ is None:
        current_app.logger.error("No permission rule for %s; refused", endpoint)
        rule_ = DENY
    if rule_.public:
        return None
    from remun.api import auth as api_auth
    from remun.api.problems import is_api_request

    if is_api_request():  # a token, never a cookie: 401 without one, 403 outside the rule
        api_auth.sign_in_with_token()
        if not rule_.allows(current_user, request.view_args or {}):
            api_auth.refuse(403, N_("This token’s account may not see or do this."), "forbidden")
        return None
    if not current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()  # a forged form from nobody is refused outright (400), as it would be anyway
        return _sign_in_redirect()
    args = request.view_args or {}
    if not rule_.allows(current_user, args):
        abort(403)
    if rule_.refuse_erased and "person_id" in args:
        from remun.accounts.users import is_erased

        person = db.session.get(Person, int(args["person_id"]))
        if person is not None and is_erased(db.session, person):
            flash(_("This person’s identity has been erased, so their details cannot be changed."), "important")
            return redirect(url_for("people.show", person_id=person.id))
    return None


def register(app: Flask) -> None:
    """Check every request first of all, before CSRF and the views."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.jinja_env.globals["can"] = can
    # ``allowed(url)``: may the signed-in user open this address? Links, buttons and
    # breadcrumbs are drawn only when it is true (see templates/_macros.html and base.html).
    app.jinja_env.globals["allowed"] = may_open
    app.jinja_env.globals["open_crumbs"] = open_crumbs
