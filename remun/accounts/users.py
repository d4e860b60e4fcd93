"""Accounts and people's personal data: creating users, signing in, links,
deactivation, "everything held about me" and erasure. No Flask here; the web
pages and the ``remun user`` commands both call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from remun.accounts import audit, passwords, sign_in_sessions, tokens
from remun.accounts.models import AuditEvent, OneTimeToken, TokenPurpose, User, UserRole
from remun.project_records.models import Appointment, Attendance, Expense, Person, Project

#: What an erased person is called from then on. Stored, so not translated.
PSEUDONYM = "Erased person {id}"
ERASED_EMAIL = "erased-user-{id}@erased.invalid"


class AccountProblem(Exception):
    """Something a person can fix; ``code`` says what, ``details`` adds the particulars."""

    def __init__(self, code: str, details: Iterable[str] = ()):
        super().__init__(code)
        self.code = code
        self.details = list(details)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def check_new_password(password: str, email: str | None) -> None:
    problems = passwords.password_problems(password, email)
    if problems:
        raise AccountProblem("weak_password", problems)


def set_password(user: User, password: str, using: PasswordHasher | None = None) -> None:
    """A new password; every session signed in with the old one ends (the caller may start a new one)."""
    check_new_password(password, user.email)
    user.password_hash = passwords.hash_password(password, using)
    session = object_session(user)
    if session is not None:
        sign_in_sessions.end_all(session, user)


def _projects(session: Session, project_ids: Iterable[int]) -> list[Project]:
    ids = sorted(set(project_ids))
    projects = list(session.scalars(select(Project).where(Project.id.in_(ids)))) if ids else []
    if len(projects) != len(ids):
        raise AccountProblem("unknown_project")
    return projects


def _check_access(session: Session, user: User | None, role: UserRole, person_id: int | None) -> None:
    if role is UserRole.PARTICIPANT:
        if person_id is None:
            raise AccountProblem("person_needed")
        if session.get(Person, person_id) is None:
            raise AccountProblem("unknown_person")
        holder = session.scalar(select(User).where(User.person_id == person_id))
        if holder is not None and holder is not user:
            raise AccountProblem("person_taken")


def create_user(session: Session, email: str, role: UserRole | str, *, password: str | None = None,
                person_id: int | None = None, project_ids: Iterable[int] = (), created_by_id: int | None = None,
                using: PasswordHasher | None = None) -> User:
    """A new account. Without a password it waits for its owner to set one from an invitation."""
    email = normalise_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise AccountProblem("bad_email")
    try:
        role = UserRole(role)
    except ValueError as exc:
        raise AccountProblem("bad_role") from exc
    if by_email(session, email) is not None:
        raise AccountProblem("email_taken")
    _check_access(session, None, role, person_id)
    user = User(email=email, role=role, active=True,
                person_id=person_id if role is UserRole.PARTICIPANT else None)
    if role is UserRole.LEAD:
        user.led_projects = _projects(session, project_ids)
    if password is not None:
        set_password(user, password, using)
    session.add(user)
    audit.record_for(session, created_by_id, "user.created", user,
                     {"role": role.value, "projects": sorted(p.id for p in user.led_projects)})
    return user


def set_access(session: Session, user: User, role: UserRole | str, *, person_id: int | None = None,
               project_ids: Iterable[int] = (), changed_by_id: int | None = None) -> None:
    role = UserRole(role)
    if user.role is UserRole.ADMIN and role is not UserRole.ADMIN:
        _keep_an_admin(session, user)
    _check_access(session, user, role, person_id)
    before = {"role": user.role.value, "projects": sorted(p.id for p in user.led_projects), "person": user.person_id}
    user.role = role
    user.person_id = person_id if role is UserRole.PARTICIPANT else None
    user.led_projects = _projects(session, project_ids) if role is UserRole.LEAD else []
    after = {"role": role.value, "projects": sorted(p.id for p in user.led_projects), "person": user.person_id}
    if before != after:
        audit.record(session, changed_by_id, "user.changed", "user", user.id, {"before": before, "after": after})


def set_project_leads(session: Session, project: Project, user_ids: Iterable[int], *,
                      changed_by_id: int | None = None) -> None:
    """Make exactly these lead accounts the project's leads, with an audit entry when that changes."""
    from remun.accounts.models import ProjectLead

    wanted = set(user_ids)
    accounts = list(session.scalars(select(User).where(User.id.in_(wanted)))) if wanted else []
    if len(accounts) != len(wanted) or any(account.role is not UserRole.LEAD for account in accounts):
        raise AccountProblem("not_a_lead")
    rows = list(session.scalars(select(ProjectLead).where(ProjectLead.project_id == project.id)))
    before = sorted(row.user_id for row in rows)
    for row in rows:
        if row.user_id not in wanted:
            session.delete(row)
    for user_id in wanted - set(before):
        session.add(ProjectLead(user_id=user_id, project_id=project.id))
    if before != sorted(wanted):
        audit.record(session, changed_by_id, "project.leads_changed", "project", project.id,
                     {"before": before, "after": sorted(wanted)})


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count()).select_from(User).where(
            User.role == UserRole.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise AccountProblem("last_admin")


def deactivate(session: Session, user: User, by_id: int | None = None) -> None:
    """The account can no longer sign in; its sessions and links stop working at once."""
    if user.role is UserRole.ADMIN:
        _keep_an_admin(session, user)
    user.active = False
    tokens.cancel_all(session, user)
    sign_in_sessions.end_all(session, user)  # signed out at once, on every device
    audit.record(session, by_id, "user.deactivated", "user", user.id)


def reactivate(session: Session, user: User, by_id: int | None = None) -> None:
    if user.email.endswith("@erased.invalid"):
        raise AccountProblem("erased")
    user.active = True
    audit.record(session, by_id, "user.reactivated", "user", user.id)


def authenticate(session: Session, email: str, password: str, using: PasswordHasher | None = None,
                 at: dt.datetime | None = None) -> User | None:
    """The account when the email and password match an active account with a password; else None.

    Takes about as long whether or not the account exists.
    """
    user = by_email(session, email)
    usable = user is not None and user.active and bool(user.password_hash)
    if not passwords.verify_password(user.password_hash if usable else None, password, using):
        return None
    if passwords.needs_rehash(user.password_hash, using):
        user.password_hash = passwords.hash_password(password, using)
    user.last_sign_in_at = at or tokens.now()
    return user


def change_password(user: User, current: str, new: str, using: PasswordHasher | None = None) -> None:
    if not passwords.verify_password(user.password_hash, current, using):
        raise AccountProblem("wrong_password")
    set_password(user, new, using)


def issue_link(session: Session, user: User, purpose: TokenPurpose, by_id: int | None = None) -> tokens.IssuedLink:
    if not user.active:
        raise AccountProblem("inactive")
    link = tokens.issue(session, user, purpose, created_by_id=by_id)
    action = "user.invited" if purpose is TokenPurpose.INVITATION else "user.reset_link"
    audit.record(session, by_id, action, "user", user.id, {"expires_at": link.expires_at})
    return link


def set_password_from_link(session: Session, raw_token: str, purpose: TokenPurpose, password: str,
                           using: PasswordHasher | None = None) -> User:
    token = tokens.find(session, raw_token, purpose)
    if token is None:
        raise AccountProblem("bad_link")
    user = token.user
    set_password(user, password, using)
    tokens.spend(session, token)
    audit.record(session, user.id, "user.password_set", "user", user.id, {"link": purpose.value})
    return user


# --- Personal data: everything held about a person, and erasure -------------------------------

#: Extra sections for ``personal_data``: name -> function(session, person) returning plain data.
#: The ledger adds its own (what the person was owed and paid).
EXPORT_SECTIONS: dict[str, Callable[[Session, Person], Any]] = {}

#: Extra steps for ``erase_person``, run after Remun's own: function(session, person).
#: The ledger adds any of its own free text about the person here.
ERASURE_STEPS: list[Callable[[Session, Person], None]] = []


def is_erased(session: Session, person: Person) -> bool:
    return audit.has_happened(session, "person.erased", "person", person.id)


def account_of(session: Session, person: Person) -> User | None:
    return session.scalar(select(User).where(User.person_id == person.id))


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def personal_data(session: Session, person: Person) -> dict[str, Any]:
    """Everything Remun holds about ``person``, as plain JSON-ready data."""
    appointments = session.scalars(
        select(Appointment).where(Appointment.person_id == person.id).order_by(Appointment.start_date)
    ).all()
    attendances = session.scalars(select(Attendance).where(Attendance.person_id == person.id)).all()
    attendances = sorted(attendances, key=lambda a: (a.meeting.date, a.id))
    user = account_of(session, person)
    data: dict[str, Any] = {
        "about": "Everything Remun holds about this person, as of the time shown.",
        "produced_at": tokens.now().isoformat(),
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "preferred_language": person.preferred_language,
            "payee_reference": person.payee_reference,
            "how_thanked": person.reciprocity.value,
            "added_at": _iso(person.created_at),
            "erased": is_erased(session, person),
        },
        "roles": [
            {
                "project": a.role.project.name, "role": a.role.title, "role_kind": a.role.kind.value,
                "from": _iso(a.start_date), "to": _iso(a.end_date),
            }
            for a in appointments
        ],
        "sessions_attended": [
            {
                "project": a.meeting.project.name, "session": a.meeting.title, "date": _iso(a.meeting.date),
                "role": a.role.title, "hours": str(a.hours), "preparation_hours": str(a.prep_hours),
                "travel_hours": str(a.travel_hours),
                "expenses": [
                    {"amount": _money(e.amount), "category": e.category.value, "note": e.note} for e in a.expenses
                ],
            }
            for a in attendances
        ],
        "account": None,
        "log": [],
    }
    if user is not None:
        data["account"] = {
            "email": user.email, "role": user.role.value, "active": user.active,
            "preferred_language": user.preferred_language,
            "created_at": _iso(user.created_at), "last_sign_in_at": _iso(user.last_sign_in_at),
            "has_password": bool(user.password_hash),
            "links": [
                {"kind": t.purpose.value, "made_at": _iso(t.created_at), "expires_at": _iso(t.expires_at),
                 "used_at": _iso(t.used_at)}
                for t in session.scalars(select(OneTimeToken).where(OneTimeToken.user_id == user.id)
                                         .order_by(OneTimeToken.id))
            ],
        }
    about_them = select(AuditEvent).where(AuditEvent.object_type == "person", AuditEvent.object_id == str(person.id))
    if user is not None:
        about_them = select(AuditEvent).where(
            ((AuditEvent.object_type == "person") & (AuditEvent.object_id == str(person.id)))
            | ((AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user.id)))
            | (AuditEvent.user_id == user.id)
        )
    data["log"] = [
        {"at": _iso(e.at), "action": e.action, "by_user": e.user_id, "object": f"{e.object_type} {e.object_id}",
         "detail": audit.decode(e.detail)}
        for e in session.scalars(about_them.order_by(AuditEvent.id))
    ]
    data.update(_ledger_data(session, person))
    data.update(_reciprocity_data(session, person))
    for name, section in EXPORT_SECTIONS.items():
        data[name] = section(session, person)
    return data


def _ledger_data(session: Session, person: Person) -> dict[str, Any]:
    """Their claims, what was posted to the ledger for them, and the payment batches they were in."""
    from remun.ledger.models import BatchItem, Claim, LedgerTransaction, Posting

    claims = session.scalars(select(Claim).where(Claim.person_id == person.id).order_by(Claim.id)).all()
    postings = session.execute(
        select(Posting, LedgerTransaction).join(LedgerTransaction, Posting.transaction_id == LedgerTransaction.id)
        .where(Posting.person_id == person.id).order_by(LedgerTransaction.sequence, Posting.id)
    ).all()
    items = session.scalars(select(BatchItem).where(BatchItem.person_id == person.id).order_by(BatchItem.id)).all()
    return {
        "claims": [
            {"claim": c.id, "project": c.project.name, "kind": c.kind.value, "status": c.status.value,
             "amount": _money(c.amount), "rate": _money(c.rate), "hours": _money(c.hours),
             "submitted_at": _iso(c.submitted_at), "decided_at": _iso(c.decided_at),
             "reason_given": c.decision_reason, "settled_as": c.settled_as.value if c.settled_as else None,
             "settled_at": _iso(c.settled_at)}
            for c in claims
        ],
        "ledger": [
            {"transaction": t.id, "posted_on": _iso(t.posted_on), "kind": t.kind.value, "account": p.account.value,
             "amount": _money(p.amount), "description": t.description, "reason": t.reason}
            for p, t in postings
        ],
        "payment_batches": [
            {"batch": i.batch_id, "claim": i.claim_id, "amount": _money(i.amount), "status": i.batch.status.value,
             "paid_at": _iso(i.batch.paid_at)}
            for i in items
        ],
    }


def _reciprocity_data(session: Session, person: Person) -> dict[str, Any]:
    """How they chose to be thanked over time, their benefits answer, their receipts and what was given."""
    from remun.reciprocity.models import BenefitsAnswer, Receipt, ReciprocityChoice, SettlementPart

    choices = session.scalars(select(ReciprocityChoice).where(ReciprocityChoice.person_id == person.id)
                              .order_by(ReciprocityChoice.chosen_at, ReciprocityChoice.id)).all()
    answer = session.get(BenefitsAnswer, person.id)
    receipts = session.scalars(select(Receipt).join(Expense, Receipt.expense_id == Expense.id)
                               .join(Attendance, Expense.attendance_id == Attendance.id)
                               .where(Attendance.person_id == person.id).order_by(Receipt.id)).all()
    parts = session.scalars(select(SettlementPart).where(SettlementPart.person_id == person.id)
                            .order_by(SettlementPart.id)).all()
    return {
        "choices": [
            {"chosen_at": _iso(c.chosen_at), "summary": c.summary.value, "reason": c.reason,
             "parts": [{"method": p.method.value, "percent": str(p.percent), "detail": p.detail} for p in c.parts]}
            for c in choices
        ],
        "benefits_answer": None if answer is None else {
            "receives_benefits": answer.receives_benefits, "answered_at": _iso(answer.answered_at)},
        "receipts": [
            {"file_name": r.original_name, "type": r.content_type, "bytes": r.size, "uploaded_at": _iso(r.uploaded_at),
             "expense": r.expense_id}
            for r in receipts
        ],
        "settlements": [
            {"claim": p.claim_id, "method": p.method.value, "amount": _money(p.amount), "detail": p.detail,
             "given_at": _iso(p.given_at)}
            for p in parts
        ],
    }


@dataclass
class Erasure:
    person_id: int
    pseudonym: str
    account_closed: bool
    notes_cleared: int
    fields: list[str] = field(default_factory=list)
    #: Stored receipt files to delete once the erasure is committed (``remove_receipt_files``).
    receipt_files: list[str] = field(default_factory=list)


def erase_person(session: Session, person: Person, by_id: int | None = None) -> Erasure:
    """Replace the person's identity with a pseudonym; keep their roles, sessions and pay.

    Name becomes "Erased person <id>"; email, payee reference, expense notes
    and the reasons given for rejected claims are cleared and the language reset. A linked account is deactivated, its
    email replaced and its password and links removed. The finance records stay
    whole, under the pseudonym, for the retention period (see docs/privacy.md).
    """
    if is_erased(session, person):
        raise AccountProblem("already_erased")
    pseudonym = PSEUDONYM.format(id=person.id)
    person.name = pseudonym
    person.email = None
    person.payee_reference = None
    person.preferred_language = "en"
    notes = 0
    for expense in session.scalars(
        select(Expense).join(Attendance).where(Attendance.person_id == person.id, Expense.note.is_not(None))
    ):
        expense.note = None
        notes += 1
    reasons = _clear_claim_reasons(session, person)
    receipt_files = _clear_reciprocity(session, person)
    user = account_of(session, person)
    if user is not None:
        user.email = ERASED_EMAIL.format(id=user.id)
        user.password_hash = None
        user.preferred_language = None
        user.active = False
        sign_in_sessions.end_all(session, user)
        tokens.cancel_all(session, user)
    for step in ERASURE_STEPS:
        step(session, person)
    fields = ["name", "email", "payee_reference", "preferred_language"]
    audit.record(session, by_id, "person.erased", "person", person.id,
                 {"fields": fields, "expense_notes_cleared": notes, "claim_reasons_cleared": reasons,
                  "receipts_removed": len(receipt_files), "account": user.id if user else None})
    return Erasure(person_id=person.id, pseudonym=pseudonym, account_closed=user is not None,
                   notes_cleared=notes, fields=fields, receipt_files=receipt_files)


def _clear_reciprocity(session: Session, person: Person) -> list[str]:
    """Clear what could identify them in how they are thanked; remove receipts and their benefits answer.

    Kept: each choice's kind, share and date, and what was settled how (the finance
    record). Cleared: the free text (a reason, a charity or the person paid
    instead). Removed: the benefits answer and receipt records (a receipt can show a
    name or an address); returns the receipts' stored file names, to delete after commit.
    """
    from remun.reciprocity.models import BenefitsAnswer, Receipt, ReciprocityChoice, SettlementPart

    answer = session.get(BenefitsAnswer, person.id)
    if answer is not None:
        session.delete(answer)
    for choice in session.scalars(select(ReciprocityChoice).where(ReciprocityChoice.person_id == person.id)):
        choice.reason = None
        for part in choice.parts:
            part.detail = None
    for part in session.scalars(select(SettlementPart).where(SettlementPart.person_id == person.id)):
        part.detail = None
    receipts = session.scalars(select(Receipt).join(Expense, Receipt.expense_id == Expense.id)
                               .join(Attendance, Expense.attendance_id == Attendance.id)
                               .where(Attendance.person_id == person.id)).all()
    names = [receipt.stored_name for receipt in receipts]
    for receipt in receipts:
        session.delete(receipt)
    return names


def remove_receipt_files(names: Iterable[str], instance_path: str) -> None:
    """Delete erased receipts' files, after the erasure is committed (a missing file is fine)."""
    from remun.reciprocity.receipts import folder

    for name in names:
        (folder(instance_path) / name).unlink(missing_ok=True)


def _clear_claim_reasons(session: Session, person: Person) -> int:
    """Why a claim was rejected is free text written to the person, so it may name them: clear it.

    (The ledger's own transactions are append-only and hold no free text about
    people except a reversal's reason; see docs/privacy.md.)
    """
    from remun.ledger.models import Claim

    cleared = 0
    for claim in session.scalars(select(Claim).where(Claim.person_id == person.id, Claim.decision_reason.is_not(None))):
        claim.decision_reason = None
        cleared += 1
    return cleared
