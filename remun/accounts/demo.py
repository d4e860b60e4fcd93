"""Sign-in accounts for the demo project, so a newcomer can try every kind of user.

Passwords are random for each new demo database and are kept in a private
file in the instance folder (never in the code), so `make run` can show them
again each time it starts.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from remun.accounts.passwords import PasswordHasher
from remun.accounts.users import by_email, create_user
from remun.project_records.models import Person, Project

CREDENTIALS_FILE = "demo-accounts.txt"
#: The demo participant is the lived-experience co-chair of the demo project.
DEMO_PARTICIPANT_EMAIL = "morag.henderson@example.org"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    password: str
    what: str


def _planned(project: Project) -> list[tuple[str, str, str]]:
    return [
        ("admin@demo.example.org", "admin", "administrator: everything"),
        ("lead@demo.example.org", "lead", f"project lead of “{project.name}”"),
        ("finance@demo.example.org", "finance", "finance: ledgers, batches and exports"),
        (DEMO_PARTICIPANT_EMAIL, "participant", "participant: Morag Henderson's own pages"),
    ]


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    passwords = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            email, _, password = line.partition(" ")
            passwords[email] = password.strip()
    return passwords


def _write(path: Path, accounts: list[DemoAccount]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Demo sign-in accounts (email password). Local demo only: delete this file with the database."]
    lines += [f"{account.email} {account.password}" for account in accounts]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def ensure_demo_accounts(session: Session, project: Project, instance_dir: Path,
                         using: PasswordHasher | None = None) -> list[DemoAccount]:
    """Create the demo accounts once; afterwards return them with their saved passwords.

    An account whose password is no longer known (the file was deleted) is
    left alone and not listed: nothing is reset behind anyone's back.
    """
    path = instance_dir / CREDENTIALS_FILE
    saved = _read(path)
    accounts = []
    for email, role, what in _planned(project):
        if by_email(session, email) is None:
            person_id = None
            if role == "participant":
                person_id = session.scalar(select(Person.id).where(Person.email == email))
            password = secrets.token_urlsafe(12)
            create_user(session, email, role, password=password, person_id=person_id,
                        project_ids=[project.id] if role == "lead" else [], using=using)
            saved[email] = password
        if email in saved:
            accounts.append(DemoAccount(email, role, saved[email], what))
    _write(path, accounts)
    return accounts
