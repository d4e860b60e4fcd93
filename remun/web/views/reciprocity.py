"""Reciprocity for leads and finance: each person's choice, totals by way of thanks, who has not
chosen, and the lists finance works from (vouchers to issue, training, donations)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from remun.project_records.enums import Reciprocity
from remun.ledger.models import Claim, ClaimKind, ClaimStatus
from remun.project_records.models import Attendance, Expense, Meeting, Person, Project
from remun.reciprocity.models import Receipt, SettlementPart
from remun.reciprocity.offers import load_offers, make_up
from remun.reciprocity.overview import project_overview
from remun.web.extensions import db
from remun.web.views.projects import project_crumbs

bp = Blueprint("reciprocity", __name__)


@bp.get("/projects/<int:project_id>/thanks")
def project(project_id: int):
    found = db.get_or_abort(Project, project_id)
    return render_template("reciprocity/project.html", title=_("How people are thanked"), project=found,
                           overview=project_overview(db.session, found.id), receipts=_receipts_waiting(found.id),
                           breadcrumbs=project_crumbs(found), active_section="projects")


def _receipts_waiting(project_id: int):
    """Receipts for expenses whose claims wait for the lead, so they can be checked before approving."""
    return db.session.execute(
        select(Receipt, Expense, Person, Meeting)
        .join(Expense, Receipt.expense_id == Expense.id)
        .join(Attendance, Expense.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Person, Attendance.person_id == Person.id)
        .join(Claim, (Claim.attendance_id == Attendance.id) & (Claim.kind == ClaimKind.EXPENSES))
        .where(Meeting.project_id == project_id, Claim.status == ClaimStatus.SUBMITTED)
        .order_by(Meeting.date.desc(), Person.name, Receipt.id)
    ).all()


def _given(method: Reciprocity):
    return db.session.execute(
        select(SettlementPart, Person.name, Project.name, Project.currency)
        .join(Person, SettlementPart.person_id == Person.id).join(Project, SettlementPart.project_id == Project.id)
        .where(SettlementPart.method == method, SettlementPart.given_at.is_not(None))
        .order_by(SettlementPart.given_at.desc(), SettlementPart.id.desc())
    ).all()


@bp.get("/finance/vouchers")
def vouchers():
    offers = load_offers()
    rows = [(part, name, project_name, currency, _make_up(offers, part))
            for part, name, project_name, currency in _given(Reciprocity.VOUCHERS)]
    return render_template("reciprocity/vouchers.html", title=_("Vouchers to issue"), rows=rows,
                           active_section="finance")


def _make_up(offers, part: SettlementPart):
    provider = offers.voucher_provider(part.detail)
    return make_up(part.amount, provider) if provider else None


@bp.get("/finance/training")
def training():
    return render_template("reciprocity/given.html", title=_("Training record"), rows=_given(Reciprocity.TRAINING),
                           detail_heading=_("Training"), active_section="finance")


@bp.get("/finance/donations")
def donations():
    return render_template("reciprocity/given.html", title=_("Donations to make"), rows=_given(Reciprocity.DONATION),
                           detail_heading=_("Charity"), active_section="finance")
