"""Users, project leads, one-time links and the audit log (no Flask here)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from remun.project_records.models import Base, Person, Project, Timestamped, _enum


class UserRole(enum.StrEnum):
    ADMIN = "admin"  # everything
    LEAD = "lead"  # the projects they lead
    FINANCE = "finance"  # ledgers, batches and exports of every project; no editing of roles or people
    PARTICIPANT = "participant"  # only their own details, claims, statement and choices


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case, so sign-in ignores case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2 hash; empty until an invited person sets their password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole, "user_role"))
    #: A participant's own record in people; their pages show only this person.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), unique=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: The language chosen with the switcher while signed in ("en", "gd", "pl"); None until chosen.
    preferred_language: Mapped[str | None] = mapped_column(String(16))

    person: Mapped[Person | None] = relationship()
    led_projects: Mapped[list[Project]] = relationship(secondary="project_leads", order_by="Project.name")


class ProjectLead(Base):
    """A lead user's projects."""

    __tablename__ = "project_leads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)


class OneTimeToken(Base):
    """A personal link for an invitation or a password reset. Only a hash of it is stored."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class TokenScope(enum.StrEnum):
    READ = "read"  # reading only
    WRITE = "write"  # reading, and the changes the account may make


class ApiToken(Base):
    """A personal access token for the JSON API (issue 20). Only a hash of the secret is stored.

    ``prefix`` is the token's first few characters, shown on the tokens page so a
    person can tell their tokens apart; it is not enough to use one.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(_enum(TokenScope, "token_scope"))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who saw or changed what, and when. Never changed: the database refuses updates and deletes.

    Records name things by type and id, never by a person's name, so erasing
    someone's identity never needs the log to change.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: What happened, as a fixed code such as "person.viewed" or "rates.changed".
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: Extra facts as JSON text (field names changed, counts); no personal details.
    detail: Mapped[str | None] = mapped_column(Text)
