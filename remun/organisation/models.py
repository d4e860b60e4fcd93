"""One row per organisation setting that an administrator has changed from its default."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from remun.project_records.models import Base


class OrganisationSetting(Base):
    __tablename__ = "organisation_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: JSON text of the value, read and checked by the setting's declaration in settings.py.
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    onupdate=func.now())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProjectAccounting(Base):
    """A project's own accounting codes for import files (issue 20); an empty field uses the organisation's."""

    __tablename__ = "project_accounting"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    code_time: Mapped[str | None] = mapped_column(String(50))
    code_expenses: Mapped[str | None] = mapped_column(String(50))
    code_vouchers: Mapped[str | None] = mapped_column(String(50))
    code_training: Mapped[str | None] = mapped_column(String(50))
    code_donation: Mapped[str | None] = mapped_column(String(50))
    tax_type: Mapped[str | None] = mapped_column(String(100))
    tracking_name: Mapped[str | None] = mapped_column(String(100))
    #: The tracking option (cost centre); empty: the project's cost centre.
    tracking_option: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    onupdate=func.now())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
