"""The audit log: who saw or changed what, and when.

``record`` is the one way in, for every part of Remun (people, rates, and the
ledger's approvals, batches and exports). It adds an event to the caller's
session, so the event is saved in the same transaction as the change it
describes, or not at all. The database refuses to change or remove events
(triggers from ``remun.append_only``).

Events name things by type and id, never by a person's name or email, and
``detail`` holds facts such as which fields changed. Personal details never go
in it, so erasing someone's identity never needs the log to change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session

from remun.accounts.models import AuditEvent, User
from remun.translation import N_

#: Every action Remun records, in words for the audit log page: the one table (a new action is added
#: here, never at import time elsewhere; tests/accounts/test_audit_actions.py checks every action written is here).
ACTIONS = {
    "person.viewed": N_("A person's details were viewed"),
    "person.created": N_("A person was added"),
    "person.changed": N_("A person's details were changed"),
    "person.removed": N_("A person was removed"),
    "person.exported": N_("Everything held about a person was downloaded"),
    "person.erased": N_("A person's identity was erased"),
    "person.statement_viewed": N_("A person's statement of pay was viewed"),
    "claims.approved": N_("Claims were approved"),
    "claim.rejected": N_("A claim was rejected"),
    "claim.reversed": N_("An approved claim was reversed"),
    "claims.settled_in_kind": N_("Vouchers, training and donations were recorded as given"),
    "batch.created": N_("A payment batch was created"),
    "batch.paid": N_("A payment batch was marked paid"),
    "batch.exported": N_("A payment batch file was downloaded"),
    "in_kind.exported": N_("A list of vouchers, training and donations given was downloaded for accounting"),
    "ledger.exported": N_("The ledger was exported"),
    "month.closed": N_("A month was closed"),
    "role.created": N_("A role was added, with its first pay terms"),
    "role_terms.saved": N_("A role's pay terms were saved"),
    "user.signed_in": N_("Signed in"),
    "user.sign_in_failed": N_("A sign-in failed"),
    "user.sign_in_refused": N_("Sign-in refused: too many attempts"),
    "user.signed_out": N_("Signed out"),
    "user.created": N_("An account was created"),
    "user.changed": N_("An account's access was changed"),
    "user.deactivated": N_("An account was deactivated"),
    "user.reactivated": N_("An account was reactivated"),
    "user.invited": N_("An invitation link was made"),
    "user.reset_link": N_("A password reset link was made"),
    "user.password_set": N_("A password was set from a link"),
    "user.password_changed": N_("A password was changed"),
    "user.language_chosen": N_("A language was chosen"),
    "settings.changed": N_("An organisation setting was changed"),
    "project.accounting_changed": N_("A project's accounting codes were changed"),
    "budget.created": N_("A budget was started"),
    "budget.removed": N_("A budget was removed"),
    "budget.project_made": N_("A draft budget was turned into a project"),
    "budget.exported": N_("A budget's workbook was downloaded"),
    "reciprocity.chosen": N_("How a person would like to be thanked was recorded"),
    "benefits.answered": N_("A person changed whether they say they receive benefits"),
    "attendance.submitted": N_("A person told the project about a session they took part in"),
    "receipt.viewed": N_("A receipt was viewed"),
    "rate_figure.added": N_("A published rate was added by the organisation"),
    "rate_figure.ended": N_("An organisation's published rate was ended"),
    "rate_figure.withdrawn": N_("An organisation's published rate was withdrawn"),
    "project.lead_added": N_("A project lead was added"),
    "project.leads_changed": N_("A project's leads were changed"),
    "user.reset_link_shown": N_("A password reset link was shown on screen"),
    "user.reset_link_refused": N_("A password reset link was refused"),
    "user.signed_out_everywhere": N_("Signed out on every device"),
    "job.requested": N_("A file was asked for, to be made in the background"),
    "job.downloaded": N_("A file made in the background was downloaded"),
    "job.retried": N_("A file made in the background was tried again"),
    "session.told": N_("A person told the project about a session, to be confirmed"),
    "session.told_confirmed": N_("A session a person told the project about was confirmed"),
    "session.told_declined": N_("A session a person told the project about was declined"),
    "api_token.created": N_("A personal access token for the API was made"),
    "api_token.revoked": N_("A personal access token for the API was revoked"),
    "api_token.used": N_("A personal access token was used (first use that day, or to change something)"),
}

#: Columns whose values are personal: only their names are logged, never the values.
PERSONAL_FIELDS = {"name", "email", "payee_reference", "preferred_language", "note", "password_hash"}

_PENDING = "remun.audit.pending"
_ON_DELETE = "remun.audit.on_delete"
_LISTENING = "remun.audit.listening"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def encode(detail: dict[str, Any] | None) -> str | None:
    if not detail:
        return None
    return json.dumps(detail, sort_keys=True, ensure_ascii=False, default=_plain)


def decode(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {"text": text}
    return value if isinstance(value, dict) else {"value": value}


def record(session: Session, user_id: int | None, action: str, object_type: str | None = None,
           object_id: Any = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add an event to ``session``; it is saved when the caller commits."""
    event_ = AuditEvent(
        user_id=user_id, action=action[:64], object_type=object_type[:64] if object_type else None,
        object_id=None if object_id is None else str(object_id)[:64], detail=encode(detail),
    )
    session.add(event_)
    return event_


#: How tables are named in the log.
OBJECT_TYPES = {"people": "person", "users": "user", "roles": "role", "projects": "project", "meetings": "session"}


def object_type_of(obj: Any) -> str:
    table = type(obj).__tablename__
    return OBJECT_TYPES.get(table, table)


def record_for(session: Session, user_id: int | None, action: str, obj: Any,
               detail: dict[str, Any] | None = None) -> None:
    """Like ``record``, naming ``obj``; for a new object the event waits until it has its id."""
    identity = inspect(obj).identity
    if identity is not None:
        record(session, user_id, action, object_type_of(obj), identity[0], detail)
        return
    session.info.setdefault(_PENDING, []).append((obj, user_id, action, detail))
    _listen(session)


def record_when_deleted(session: Session, user_id: int | None, action: str, obj: Any,
                        detail: dict[str, Any] | None = None) -> None:
    """An event saved only if ``obj`` is in fact deleted (in the same transaction)."""
    session.info.setdefault(_ON_DELETE, []).append((obj, user_id, action, detail))
    _listen(session)


def _listen(session: Session) -> None:
    if not session.info.get(_LISTENING):
        event.listen(session, "before_flush", _write_deletions)
        event.listen(session, "after_flush_postexec", _write_pending)
        session.info[_LISTENING] = True


def _write_deletions(session: Session, _flush_context, _instances) -> None:
    waiting = []
    for obj, user_id, action, detail in session.info.get(_ON_DELETE) or []:
        if obj in session.deleted:
            record(session, user_id, action, object_type_of(obj), inspect(obj).identity[0], detail)
        else:
            waiting.append((obj, user_id, action, detail))
    session.info[_ON_DELETE] = waiting


def _write_pending(session: Session, _flush_context) -> None:
    pending = session.info.get(_PENDING) or []
    waiting = []
    for obj, user_id, action, detail in pending:
        identity = inspect(obj).identity
        if identity is None:
            waiting.append((obj, user_id, action, detail))
            continue
        # Inside a flush the session cannot take new objects; write on its connection instead.
        session.connection().execute(
            insert(AuditEvent).values(user_id=user_id, action=action, object_type=object_type_of(obj),
                                      object_id=str(identity[0]), detail=encode(detail))
        )
    session.info[_PENDING] = waiting


def discard_unsaved(session: Session) -> None:
    """Forget events that were never committed (the change they describe did not happen)."""
    session.info.pop(_PENDING, None)
    session.info.pop(_ON_DELETE, None)
    for obj in list(session.new):
        if isinstance(obj, AuditEvent):
            session.expunge(obj)


def changes(obj: Any, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """What is about to change on ``obj``: ``{"fields": [...], "values": {field: [old, new]}}``.

    Values are given only for fields that are not personal (rates, hours, dates).
    """
    state = inspect(obj)
    names = list(fields) if fields is not None else [attr.key for attr in state.mapper.column_attrs]
    changed, values = [], {}
    for name in names:
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        changed.append(name)
        if name not in PERSONAL_FIELDS:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            values[name] = [_plain(old), _plain(new)]
    result: dict[str, Any] = {"fields": sorted(changed)}
    if values:
        result["values"] = values
    return result


@dataclass(frozen=True)
class Page:
    events: list[tuple[AuditEvent, User | None]]
    page: int
    pages: int
    total: int


def search(session: Session, *, action: str | None = None, object_type: str | None = None,
           object_id: str | None = None, user_id: int | None = None, page: int = 1, per_page: int = 50) -> Page:
    """Events, newest first, with who did them."""
    query = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(events=[(row[0], row[1]) for row in rows], page=page, pages=pages, total=total)


def about(session: Session, object_type: str, object_id: Any) -> list[AuditEvent]:
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id)
    ))


def has_happened(session: Session, action: str, object_type: str, object_id: Any) -> bool:
    return session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.object_type == object_type,
            AuditEvent.object_id == str(object_id),
        )
    ) > 0
