"""The ledger in the browser: claims to approve, the project ledger, batches, statements, closing months."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import format_date, ngettext
from sqlalchemy import func, select

from remun.exports import accounting, batch_file
from remun.ledger import balances as ledger_balances
from remun.ledger import claims as ledger_claims
from remun.ledger import month_end, operations, periods, settlement
from remun.ledger.models import Account, BatchStatus, Claim, ClaimKind, ClaimStatus, LedgerTransaction, PaymentBatch, Posting
from remun.ledger.posting import AlreadyDone, LedgerError, PeriodClosed
from remun.ledger.waiting import waiting_for_check
from remun.sessions import told as told_sessions
from remun.reciprocity.choices import current_choice
from remun.papers.tax_year import person_tax_years
from remun.project_records.models import Attendance, Meeting, Person, Project
from remun.web.statement_picture import money_picture
from remun.web.extensions import db
from remun.web.failures import already_done_message
from remun.web.forms import CloseMonthForm, ConfirmForm, ReasonForm, options
from remun.web.pages import commit, current_user_id, not_found_unless, rate_book
from remun.web.views.projects import project_crumbs

bp = Blueprint("ledger", __name__)

PAGE_SIZE = 50


def _project(project_id: int) -> Project:
    return db.get_or_abort(Project, project_id)


def _claim_in(project_id: int, claim_id: int) -> Claim:
    claim = db.get_or_abort(Claim, claim_id)
    not_found_unless(claim.project_id == project_id)
    return claim


def _closed_message(problem: PeriodClosed) -> str:
    return _("%(month)s is closed, so nothing more can be recorded in it. Ask finance about the open month.",
             month=format_date(problem.facts["month"], "MMMM y"))


@bp.route("/projects/<int:project_id>/claims", methods=["GET", "POST"])
def claims(project_id: int):
    project = _project(project_id)
    # Attendance becomes claims first, so what is shown (and approved) is up to date.
    ledger_claims.sync_claims(db.session, rate_book(), project_id=project.id, user_id=current_user_id())
    form = ConfirmForm()
    if form.validate_on_submit():
        chosen = [int(value) for value in request.form.getlist("claim_id") if value.isdigit()]
        if request.form.get("all") == "1":
            chosen = [claim.id for claim in ledger_claims.claims_waiting(db.session, project.id)]
        try:
            result = operations.approve_claims(db.session, project.id, current_user_id(),
                                               [c for c in chosen if _claim_in(project.id, c)])
        except PeriodClosed as problem:
            db.session.rollback()
            flash(_closed_message(problem), "important")
        else:
            commit()
            if result.approved or not result.already_decided:
                flash(ngettext("%(num)d claim approved", "%(num)d claims approved", len(result.approved)), "success")
            else:
                flash(already_done_message(), "important")
        return redirect(url_for("ledger.claims", project_id=project.id))
    commit()
    rows = db.session.execute(
        select(Claim, Meeting, Person.name)
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Person, Claim.person_id == Person.id)
        .where(Claim.project_id == project.id)
        .order_by(Meeting.date.desc(), Person.name, Claim.kind)
    ).all()
    waiting = [row for row in rows if row[0].status == ClaimStatus.SUBMITTED]
    decided = [row for row in rows if row[0].status != ClaimStatus.SUBMITTED]
    return render_template("ledger/claims.html", title=_("Claims"), project=project, waiting=waiting,
                           decided=decided[:PAGE_SIZE], form=form, breadcrumbs=project_crumbs(project),
                           receipts=_receipts_for([row[0] for row in waiting + decided[:PAGE_SIZE]]),
                           told=len(told_sessions.waiting_for(db.session, project.id)),
                           active_section="projects")


def _receipts_for(claims: list[Claim]) -> dict[int, list]:
    """Each expenses claim's receipts (claim id -> receipts), to open beside the claim being decided."""
    from remun.project_records.models import Expense
    from remun.reciprocity.models import Receipt

    by_attendance = {claim.attendance_id: claim.id for claim in claims if claim.kind == ClaimKind.EXPENSES}
    found: dict[int, list] = {}
    if not by_attendance:
        return found
    for receipt, attendance_id in db.session.execute(
        select(Receipt, Expense.attendance_id).join(Expense, Receipt.expense_id == Expense.id)
        .where(Expense.attendance_id.in_(list(by_attendance))).order_by(Receipt.id)
    ):
        found.setdefault(by_attendance[attendance_id], []).append(receipt)
    return found


def _reason_page(project: Project, claim: Claim, title: str, action, done: str, button: str):
    form = ReasonForm()
    form.submit.label.text = button
    back = url_for("ledger.claims", project_id=project.id)
    if form.validate_on_submit():
        try:
            action(form.reason.data)
        except AlreadyDone:
            db.session.rollback()
            flash(already_done_message(), "important")
            return redirect(back)
        except PeriodClosed as problem:
            db.session.rollback()
            flash(_closed_message(problem), "important")
            return redirect(back)
        except LedgerError:
            db.session.rollback()
            flash(_("This claim cannot be changed now: it may already have been decided, paid or put in a payment batch."),
                  "important")
            return redirect(back)
        commit()
        flash(done, "success")
        return redirect(back)
    # The decision is made with its facts in view: whose claim, for which session, what for and how much.
    meeting = claim.attendance.meeting
    return render_template("ledger/decide.html", form=form, title=title, cancel_url=back, claim=claim,
                           meeting=meeting, person=claim.person, receipts=_receipts_for([claim]).get(claim.id, []),
                           caption=project.name, project=project, breadcrumbs=project_crumbs(project),
                           active_section="projects")


@bp.route("/projects/<int:project_id>/claims/<int:claim_id>/reject", methods=["GET", "POST"])
def reject(project_id: int, claim_id: int):
    project, claim = _project(project_id), _claim_in(project_id, claim_id)
    return _reason_page(project, claim, _("Reject this claim"),
                        lambda reason: operations.reject_claim(db.session, claim.id, reason, current_user_id()),
                        _("Claim rejected. The person will see your reason."), _("Reject this claim"))


@bp.route("/projects/<int:project_id>/claims/<int:claim_id>/reverse", methods=["GET", "POST"])
def reverse(project_id: int, claim_id: int):
    project, claim = _project(project_id), _claim_in(project_id, claim_id)
    return _reason_page(project, claim, _("Reverse this approved claim"),
                        lambda reason: operations.reverse_claim(db.session, claim.id, reason, current_user_id()),
                        _("Claim reversed. Its attendance can now be corrected."), _("Reverse this claim"))


@bp.get("/projects/<int:project_id>/ledger")
def project_ledger(project_id: int):
    project = _project(project_id)
    query = (
        select(Posting, LedgerTransaction, Person.name)
        .join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .outerjoin(Person, Posting.person_id == Person.id)
        .where(Posting.project_id == project.id)
    )
    filters = {key: request.args.get(key, "") for key in ("person", "account", "from", "to")}
    # The count needs the transactions only to filter by date: counting postings alone is much cheaper.
    counted = select(func.count(Posting.id)).where(Posting.project_id == project.id)
    if filters["person"].isdigit():
        query = query.where(Posting.person_id == int(filters["person"]))
        counted = counted.where(Posting.person_id == int(filters["person"]))
    if filters["account"] in {account.value for account in Account}:
        query = query.where(Posting.account == Account(filters["account"]))
        counted = counted.where(Posting.account == Account(filters["account"]))
    for key, compare in (("from", LedgerTransaction.posted_on.__ge__), ("to", LedgerTransaction.posted_on.__le__)):
        try:
            query = query.where(compare(dt.date.fromisoformat(filters[key]))) if filters[key] else query
        except ValueError:
            flash(_("Enter dates like 2026-04-30"), "important")
    if filters["from"] or filters["to"]:
        counted = select(func.count()).select_from(query.subquery())
    page = max(int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1, 1)
    total = db.session.scalar(counted)
    rows = db.session.execute(
        # Newest first. Transactions get their ids in chain order (posting holds the ledger_head lock), and
        # ordering by the postings' own column lets the database walk ix_postings_project_transaction
        # instead of scanning the whole chain for this project's rows.
        query.order_by(Posting.transaction_id.desc(), Posting.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    people = db.session.execute(
        select(Person.id, Person.name).join(Posting, Posting.person_id == Person.id)
        .where(Posting.project_id == project.id).distinct().order_by(Person.name)
    ).all()
    return render_template(
        "ledger/project.html", title=_("Ledger"), project=project, rows=rows, filters=filters, page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), total=total, people=people, accounts=list(Account),
        balances=ledger_balances.project_balances(db.session, project.id), breadcrumbs=project_crumbs(project),
        active_section="projects",
    )


@bp.route("/projects/<int:project_id>/batches", methods=["GET", "POST"])
def batches(project_id: int):
    project = _project(project_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "create":
            batch = operations.create_batch(db.session, project.id, current_user_id())
            commit()
            if batch is None:
                flash(_("Nothing is waiting to be paid by bank."), "important")
                return redirect(url_for("ledger.batches", project_id=project.id))
            flash(_("Batch %(id)s created", id=batch.id), "success")
            return redirect(url_for("ledger.batch", project_id=project.id, batch_id=batch.id))
        if action == "settle":
            try:
                result = operations.settle_in_kind(db.session, project.id, current_user_id())
            except PeriodClosed as problem:
                db.session.rollback()
                flash(_closed_message(problem), "important")
            else:
                commit()
                count = len(result.settled) + (1 if result.declined else 0)
                flash(_("Vouchers, training and donations recorded as given.") if count
                      else _("Nothing was waiting to be given."), "success")
            return redirect(url_for("ledger.batches", project_id=project.id))
    waiting = settlement.waiting(db.session, project.id)
    not_chosen_ids = {claim.person_id for claim in waiting.not_chosen}
    not_chosen_names = sorted(db.session.scalars(select(Person.name).where(Person.id.in_(not_chosen_ids)))) if not_chosen_ids else []
    found = db.session.scalars(select(PaymentBatch).where(PaymentBatch.project_id == project.id)
                               .order_by(PaymentBatch.id.desc())).all()
    return render_template("ledger/batches.html", title=_("Payments"), project=project, batches=found,
                           waiting=waiting, not_chosen_names=not_chosen_names, form=form, breadcrumbs=project_crumbs(project),
                           active_section="projects")


@bp.route("/projects/<int:project_id>/batches/<int:batch_id>", methods=["GET", "POST"])
def batch(project_id: int, batch_id: int):
    project = _project(project_id)
    found = db.get_or_abort(PaymentBatch, batch_id)
    not_found_unless(found.project_id == project.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.mark_batch_paid(db.session, found.id, current_user_id())
        except AlreadyDone:
            db.session.rollback()
            flash(_("This was already done: this batch was already marked as paid. Nothing was paid twice."), "important")
        except PeriodClosed as problem:
            db.session.rollback()
            flash(_closed_message(problem), "important")
        except LedgerError:
            db.session.rollback()
            flash(_("This batch holds a claim that is no longer approved, so it cannot be marked paid. "
                    "Ask finance to check it."), "important")
        else:
            commit()
            flash(_("Batch marked as paid."), "success")
        return redirect(url_for("ledger.batch", project_id=project.id, batch_id=found.id))
    # The page shows exactly what the payment file pays: the same rows (one per payee and way of paying),
    # each the money paid in this batch (a split claim's money part, not the whole claim).
    facts = batch_file.batch_facts(db.session, found.id)
    return render_template("ledger/batch.html", title=_("Payment batch %(id)s", id=found.id), project=project,
                           batch=found, payees=facts.payees, payees_total=facts.total,
                           xero_parts=accounting.xero_parts(db.session, found.id),
                           paid=found.status == BatchStatus.PAID, form=form,
                           breadcrumbs=project_crumbs(project), active_section="projects")


def _is_own(person: Person) -> bool:
    from flask_login import current_user

    return bool(current_user and current_user.is_authenticated and current_user.person_id == person.id)


def _settlement_parts(claim_ids: list[int]) -> dict[int, list]:
    """Each claim's settlement parts (claim id -> parts): how a split claim was shared, and each share."""
    from remun.reciprocity.models import SettlementPart

    found: dict[int, list] = {}
    if claim_ids:
        for part in db.session.scalars(select(SettlementPart).where(SettlementPart.claim_id.in_(claim_ids))
                                       .order_by(SettlementPart.id)):
            found.setdefault(part.claim_id, []).append(part)
    return found


@bp.get("/people/<int:person_id>/statement")
def statement(person_id: int):
    person = db.get_or_abort(Person, person_id)
    operations.statement_viewed(db.session, current_user_id(), person.id)
    commit()  # the look is recorded whatever happens next
    # Years of sessions make a long list: newest first, a page at a time.
    page = max(int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1, 1)
    rows = db.session.execute(
        select(Claim, Meeting, Project.name, Project.currency)
        .join(Attendance, Claim.attendance_id == Attendance.id)
        .join(Meeting, Attendance.meeting_id == Meeting.id)
        .join(Project, Claim.project_id == Project.id)
        .where(Claim.person_id == person.id)
        .order_by(Meeting.date.desc(), Claim.kind, Claim.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    claims_count = db.session.scalar(select(func.count(Claim.id)).where(Claim.person_id == person.id))
    given = db.session.execute(
        select(func.count(Attendance.id), func.coalesce(func.sum(Attendance.hours + Attendance.prep_hours + Attendance.travel_hours), 0))
        .where(Attendance.person_id == person.id)
    ).one()
    balance = ledger_balances.person_balance(db.session, person.id)
    # The same figures as the person's home page: what waits to be checked, and how they are thanked (with shares).
    pending = waiting_for_check(db.session, person.id)
    parts = _settlement_parts([row[0].id for row in rows])
    return render_template("ledger/statement.html", title=_("Statement for %(name)s", name=person.name), person=person,
                           rows=rows, sessions=given[0], hours_given=given[1], page=page,
                           pages=max((claims_count + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           balance=balance, picture=money_picture(balance, pending), pending=pending, parts=parts,
                           choice=current_choice(db.session, person), own=_is_own(person),
                           tax_years=person_tax_years(db.session, person),
                           breadcrumbs=[{"text": _("People"), "href": url_for("people.index")},
                                        {"text": person.name, "href": url_for("people.show", person_id=person.id)}],
                           active_section="people")


@bp.route("/finance/periods", methods=["GET", "POST"])
def months():
    """Choose a month to close (the last complete month unless another is chosen), then confirm it."""
    form = CloseMonthForm()
    today = dt.date.today()
    closed = periods.closed_months(db.session)
    offered = month_end.months_to_offer(db.session, today)
    form.month.choices = options((month.isoformat(), format_date(month, "MMMM y")) for month in offered)
    if request.method == "GET":
        form.month.data = month_end.last_complete_month(today).isoformat()
    if form.validate_on_submit():
        return redirect(url_for("ledger.close_month", month=form.month.data[:7]))
    return render_template("ledger/periods.html", title=_("Close a month"), form=form, closed=closed,
                           active_section="finance")


@bp.route("/finance/periods/<month>", methods=["GET", "POST"])
def close_month(month: str):
    """What is still open in the month, then close it (months close in order)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        abort(404)
    back = url_for("ledger.months")
    if first > month_end.last_complete_month(dt.date.today()):
        flash(_("%(month)s has not finished yet. Close it once it is over.", month=format_date(first, "MMMM y")), "important")
        return redirect(back)
    form = ConfirmForm()
    found = month_end.open_in_month(db.session, first)
    already = first in set(periods.closed_months(db.session))
    if form.validate_on_submit() and not already:
        try:
            operations.close_month(db.session, first, current_user_id())
        except month_end.MonthsOutOfOrder as problem:
            db.session.rollback()
            flash(_("Close %(earlier)s first: months close in order.",
                    earlier=format_date(problem.facts["earlier"], "MMMM y")), "important")
            return redirect(url_for("ledger.close_month", month=month))
        commit()
        flash(_("%(month)s is closed.", month=format_date(first, "MMMM y")), "success")
        return redirect(back)
    return render_template("ledger/close_month.html", title=_("Close %(month)s?", month=format_date(first, "MMMM y")),
                           month=first, found=found, already=already, form=form, cancel_url=back,
                           active_section="finance")
