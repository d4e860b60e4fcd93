"""What the API changes: through the same operations as the pages and commands (remun/ledger/operations.py),
with the same audit entries; their refusals become problem details (409 or 422).

A read-only token never gets here (``remun.api.auth`` refuses it with 403), and who
may call each path is in ``remun.web.permissions.RULES``, as for the pages.
"""

from __future__ import annotations

from flask import Response, abort
from flask_babel import gettext, lazy_ngettext
from flask_babel.speaklater import LazyString
from flask_login import current_user

from remun.api import schemas
from remun.api.auth import refuse
from remun.api.problems import ALREADY_DONE
from remun.api.reads import ID, in_project, bp, project_or_404
from remun.exports.accounting import FORMATS as ACCOUNTING_FORMATS
from remun.exports.accounting import NoSuchPart, batch_bills
from remun.exports import operations as export_operations
from remun.exports.batch_file import batch_facts, batch_file_bytes
from remun.ledger import operations
from remun.ledger.models import Claim, PaymentBatch
from remun.organisation.accounting import AccountingSettingsMissing, missing_message
from remun.ledger.posting import AlreadyDone, ClaimDecided, LedgerError, PeriodClosed
from remun.translation import N_
from remun.web.extensions import db
from remun.web.pages import commit, rate_book
from remun.web.views.exports import export_context

#: Each ledger refusal: status, problem code, and plain words.
REFUSALS: list[tuple[type[LedgerError], int, str, str]] = [
    (PeriodClosed, 409, "month-closed", N_("The month is closed, so nothing more can be recorded in it.")),
    (AlreadyDone, 409, "already-done", ALREADY_DONE),
    (ClaimDecided, 409, "claim-decided", N_("The claim was decided while this was being done. Nothing was changed.")),
    (LedgerError, 409, "not-possible", N_("This cannot be done now: the claim or batch may already have been "
                                          "decided, paid or put in a payment batch.")),
]


def refuse_ledger_error(error: LedgerError):
    db.session.rollback()
    for kind, status, code, words in REFUSALS:
        if isinstance(error, kind):
            refuse(status, words, code)
    raise error  # pragma: no cover - REFUSALS ends with LedgerError itself


@bp.post(f"/projects/<{ID}:project_id>/claims/approve")
@bp.arguments(schemas.ApproveArgs)
@bp.response(200, schemas.ApprovalResultSchema)
def approve_claims(args, project_id: int):
    """Approve claims waiting in the project (those named, or all), as the Claims page does."""
    project_or_404(project_id)
    try:
        result = operations.approve_claims(db.session, project_id, current_user.id, args.get("claim_ids"),
                                           rate_book=rate_book())
    except LedgerError as error:
        refuse_ledger_error(error)
    commit()
    return {"approved": result.approved, "already_decided": result.already_decided}


def _decide(project_id: int, claim_id: int, action) -> Claim:
    project_or_404(project_id)
    claim = in_project(Claim, claim_id, project_id)
    try:
        action(claim)
    except LedgerError as error:
        refuse_ledger_error(error)
    commit()
    db.session.refresh(claim)
    return claim


@bp.post(f"/projects/<{ID}:project_id>/claims/<{ID}:claim_id>/reject")
@bp.arguments(schemas.ReasonArgs)
@bp.response(200, schemas.ClaimSchema)
def reject_claim(args, project_id: int, claim_id: int):
    """Reject a waiting claim, with a reason the person will see."""
    return _decide(project_id, claim_id,
                   lambda claim: operations.reject_claim(db.session, claim.id, args["reason"], current_user.id))


@bp.post(f"/projects/<{ID}:project_id>/claims/<{ID}:claim_id>/reverse")
@bp.arguments(schemas.ReasonArgs)
@bp.response(200, schemas.ClaimSchema)
def reverse_claim(args, project_id: int, claim_id: int):
    """Reverse an approved claim (taking it out of a batch not yet paid)."""
    return _decide(project_id, claim_id,
                   lambda claim: operations.reverse_claim(db.session, claim.id, args["reason"], current_user.id))


@bp.post(f"/projects/<{ID}:project_id>/batches")
@bp.response(201, schemas.BatchSchema)
def create_batch(project_id: int):
    """Gather approved money owed by bank into a new payment batch (409 when nothing is waiting)."""
    project_or_404(project_id)
    try:
        batch = operations.create_batch(db.session, project_id, current_user.id)
    except LedgerError as error:
        refuse_ledger_error(error)
    commit()
    if batch is None:
        refuse(409, N_("Nothing is waiting to be paid by bank."), "nothing-to-pay")
    return batch


@bp.post(f"/projects/<{ID}:project_id>/batches/<{ID}:batch_id>/paid")
@bp.response(200, schemas.BatchSchema)
def mark_batch_paid(project_id: int, batch_id: int):
    """Record that the batch has been paid."""
    project_or_404(project_id)
    batch = in_project(PaymentBatch, batch_id, project_id)
    try:
        operations.mark_batch_paid(db.session, batch.id, current_user.id)
    except LedgerError as error:
        refuse_ledger_error(error)
    commit()
    db.session.refresh(batch)
    return batch


FILE_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "xero": "text/csv", "ledger-csv": "text/csv", "zip": "application/zip"}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


@bp.get(f"/projects/<{ID}:project_id>/batches/<{ID}:batch_id>/file")
@bp.arguments(schemas.BatchFileArgs, location="query")
@bp.response(200, {"type": "string", "format": "binary"}, content_type="text/csv",
             description="The payment batch file, as on the batch page: the same bytes every time. "
                         "?format=xlsx for a workbook; xero for Xero's bill import CSV, ledger-csv for a plain "
                         "purchase-ledger CSV (docs/accounting-files.md). A Xero file of more than 500 bills "
                         "comes as a zip of numbered files, or one of them with ?part=N.")
@bp.doc(responses={"200": {"description": "The file.", "content": {
    mimetype: _BINARY for mimetype in sorted(set(FILE_TYPES.values()))}}})
def batch_file(args, project_id: int, batch_id: int):
    """The payment batch file (recorded in the audit log as a download, as on the batch page)."""
    project_or_404(project_id)
    batch = in_project(PaymentBatch, batch_id, project_id)
    fmt = args["format"]
    if fmt in ACCOUNTING_FORMATS:
        return _accounting_file(batch, fmt, args.get("part"))
    facts = batch_facts(db.session, batch.id)
    if facts is None:
        abort(404)
    body = batch_file_bytes(facts, export_context(), fmt)
    export_operations.batch_exported(db.session, current_user.id, batch.id, fmt)
    commit()
    return _download(body, FILE_TYPES[fmt], f"remun-batch-{batch.id}.{fmt}")


def _accounting_file(batch: PaymentBatch, fmt: str, part: int | None):
    """Bills to import, chosen as on the batch page (export_operations.take_accounting_file); the codes missing
    are named in a 409 problem, a part the file does not have is a 404 problem."""
    try:
        bills = batch_bills(db.session, batch.id, export_context())
        if bills is None:
            abort(404)
        chosen = export_operations.take_accounting_file(db.session, current_user.id, bills, fmt, part)
    except AccountingSettingsMissing as problem:
        db.session.rollback()
        refuse(409, LazyString(missing_message, problem.missing, gettext), "accounting-codes-missing")
    except NoSuchPart as missing:
        refuse(404, lazy_ngettext("This file has %(num)d part.", "This file has %(num)d parts.", missing.parts),
               "no-such-part")
    commit()
    return _download(chosen.file.data, FILE_TYPES["zip" if chosen.is_zip else fmt], chosen.file.name)


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
