"""The audit log (administrators, read only), and a person's data: download and erasure."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from remun.accounts import audit as audit_log
from remun.accounts import operations as account_operations
from remun.accounts import users
from remun.project_records.models import Person
from remun.web.auth import ActionForm, actor_id
from remun.web.extensions import db
from remun.web.pages import commit

bp = Blueprint("admin", __name__)


@bp.app_template_filter("date_time")
def date_time(value) -> str:
    """A moment in the reader's time zone (stored times are UTC)."""
    from flask_babel import format_datetime

    return "–" if value is None else format_datetime(value, format="medium")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/audit/", endpoint="audit")
def audit_index():
    filters = {
        "action": request.args.get("action") or None,
        "object_type": request.args.get("object_type") or None,
        "object_id": request.args.get("object_id") or None,
        "user_id": _int_arg("user_id"),
    }
    page = audit_log.search(db.session, page=_int_arg("page") or 1, **filters)
    actions = sorted(set(audit_log.ACTIONS) | set(
        db.session.scalars(select(audit_log.AuditEvent.action).distinct())
    ))
    people = {
        str(person.id): person.name for person in db.session.scalars(
            select(Person).where(Person.id.in_([int(e.object_id) for e, _u in page.events
                                                if e.object_type == "person" and (e.object_id or "").isdigit()]))
        )
    }
    return render_template("admin/audit.html", title=_("Audit log"), page=page, filters=filters, actions=actions,
                           query={key: value for key, value in filters.items() if value}, descriptions={code: _(text) for code, text in audit_log.ACTIONS.items()}, decode=audit_log.decode, people=people,
                           active_section="audit")


def _person(person_id: int) -> Person:
    return db.get_or_abort(Person, person_id)


def _crumbs(person: Person) -> list[dict]:
    return [{"text": _("People"), "href": url_for("people.index")},
            {"text": person.name, "href": url_for("people.show", person_id=person.id)}]


@bp.get("/people/<int:person_id>/data")
def person_data(person_id: int):
    person = _person(person_id)
    return render_template("admin/person_data.html", title=_("Everything we hold about this person"), person=person,
                           account=users.account_of(db.session, person), erased=users.is_erased(db.session, person),
                           breadcrumbs=_crumbs(person), active_section="people")


@bp.get("/people/<int:person_id>/data.json")
def person_data_download(person_id: int):
    person = _person(person_id)
    data = account_operations.export_personal_data(db.session, actor_id(), person)
    commit()
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="remun-person-{person.id}.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase_person(person_id: int):
    person = _person(person_id)
    back = url_for("people.show", person_id=person.id)
    if users.is_erased(db.session, person):
        flash(_("This person’s identity has already been erased."), "important")
        return redirect(back)
    form = ActionForm()
    if form.validate_on_submit():
        erasure = users.erase_person(db.session, person, actor_id())
        commit()
        users.remove_receipt_files(erasure.receipt_files, current_app.instance_path)
        flash(_("Their identity has been erased. They are now known as %(name)s.", name=erasure.pseudonym), "success")
        return redirect(back)
    form.submit.label.text = _("Erase their identity")
    return render_template("admin/erase.html", title=_("Erase this person’s identity?"), person=person, form=form,
                           account=users.account_of(db.session, person), cancel_url=back,
                           breadcrumbs=_crumbs(person), active_section="people")
