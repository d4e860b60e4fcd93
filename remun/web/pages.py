"""Small helpers the blueprints share: form pages, saving, and removing."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from remun.pay.rate_cards import RateBook
from remun.project_records.rules import Dependents, dependents_of
from remun.web.extensions import db
from remun.web.forms import ConfirmForm


def current_user_id() -> int | None:
    """The signed-in user's id, for the audit trail and the ledger; None outside a request."""
    from flask_login import current_user

    return getattr(current_user, "id", None) if current_user and current_user.is_authenticated else None


def kept_parity() -> dict:
    """How parity reports are kept, for the pages and the API alike: this app's cache (each report
    made is also kept in the database for `remun verify`), the rate book made only when a report
    has to be (its organisation's figures are under the figures version, so the shipped book names
    it), and the pay-gap threshold."""
    from remun.parity.report_cache import ReportCache

    cache = current_app.extensions.get("remun.reports")
    if cache is None:
        cache = current_app.extensions["remun.reports"] = ReportCache(keep_with=db.sessionmaker,
                                                                      keep_later=after_response)
    return {"book": rate_book, "book_key": id(current_app.extensions["remun.rates"]), "cache": cache,
            "threshold": int(current_app.config.get("REMUN_PAY_GAP_THRESHOLD", 10))}


def after_response(work: Callable[[], None]) -> None:
    """Run ``work`` once this request's response has been sent (the server closes it), or at once outside
    a request: work the reader need not wait for. A failure is logged; the page has already gone."""
    from flask import after_this_request, has_request_context

    if not has_request_context():
        work()
        return
    app = current_app._get_current_object()

    def safely() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 (logged with its traceback; nothing else can be told)
            app.logger.exception("Work left for after the response failed")
        sweep_garbage()

    @after_this_request
    def when_sent(response: Response) -> Response:
        response.call_on_close(safely)
        return response


def sweep_garbage() -> None:
    """Making reports and their figures leaves many objects in the collector's young generations: sweep
    them once the page has gone, not in the middle of a later request (300 ms at a health board's scale),
    and the oldest generation too when its turn has come (each sweep of the young ones counts towards it)."""
    gc.collect(2 if gc.get_count()[2] >= gc.get_threshold()[2] else 1)


def rate_book() -> RateBook:
    """The shipped rate cards with the organisation's own figures laid over them (read once a request)."""
    from flask import has_request_context, request

    from remun.organisation.rate_figures import book_in_use

    if not has_request_context():
        return book_in_use(db.session, current_app.extensions["remun.rates"])
    # Kept on the request, not ``g``: an app context can outlive one request (tests, jobs).
    book = getattr(request, "remun_rate_book", None)
    if book is None:
        book = request.remun_rate_book = book_in_use(db.session, current_app.extensions["remun.rates"])
    return book


def form_page(form: FlaskForm, title: str, fields: list[str], cancel_url: str, **extra: Any) -> str:
    return render_template("form_page.html", form=form, title=title, fields=fields, cancel_url=cancel_url, **extra)


def commit() -> None:
    """Commit this request's one transaction (its unit of work), for pages that answer with a file."""
    db.session.commit()


def save(message: str, next_url: Callable[[], str]) -> Response:
    """Commit this request's one transaction, tell the user, and move on.

    ``next_url`` is called after the commit, so it can use new records' ids.
    """
    commit()
    flash(message, "success")
    return redirect(next_url())


def try_save(form: FlaskForm, field: str, clash_message: str, message: str, next_url: Callable[[], str]) -> Response | None:
    """Save, or report a duplicate on ``field`` (a unique rule the database enforces)."""
    try:
        return save(message, next_url)
    except IntegrityError:
        db.session.rollback()
        form[field].errors = list(form[field].errors) + [clash_message]
        return None


def blocker_messages(dependents: Dependents) -> list[str]:
    messages = []
    if dependents.attendances:
        messages.append(
            ngettext(
                "%(num)d attendance record uses it",
                "%(num)d attendance records use it",
                dependents.attendances,
            )
        )
    if dependents.roles:
        messages.append(ngettext("%(num)d role is in it", "%(num)d roles are in it", dependents.roles))
    if dependents.approved_claims:
        messages.append(_("it has been approved for payment: reverse its claim on the Claims page first"))
    if dependents.appointments:
        messages.append(
            ngettext("%(num)d person is appointed to it", "%(num)d people are appointed to it", dependents.appointments)
        )
    return messages


def remove_page(record: object, title: str, cancel_url: str, done_url: str, done_message: str, caption: str | None = None,
                remove: Callable[..., None] | None = None) -> Response | str:
    """Ask before removing; remove only when nothing depends on the record.

    ``remove`` is the operation (remun/project_records/operations.py: ``remove`` unless another is given);
    this page commits what it did.
    """
    from remun.project_records import operations

    form = ConfirmForm()
    blockers = blocker_messages(dependents_of(db.session, record))
    if not blockers and form.validate_on_submit():
        try:
            (remove or operations.remove)(db.session, current_user_id(), record)
        except operations.StillInUse as problem:  # something came to depend on it a moment ago
            db.session.rollback()
            blockers = blocker_messages(problem.dependents)
        else:
            return save(done_message, lambda: done_url)
    return render_template(
        "confirm_delete.html", form=form, title=title, caption=caption, blockers=blockers, cancel_url=cancel_url
    )


def not_found_unless(condition: bool) -> None:
    """404 when a record is reached through a project it does not belong to."""
    if not condition:
        abort(404)


def import_summary(lines) -> list[str]:
    """An import's summary in the reader's language: its first line, then one line for each kind of record.

    ``lines`` are (message id, params) pairs: from remun.imports.importer.ImportSummary.lines(), or as a
    background import job kept them (remun/jobs/kinds.py)."""
    return [_(message_id) % params for message_id, params in lines]
