"""Accounting codes for import files (issue 20): the organisation's, and a project's own where it has them.

Each cost Remun exports goes to a nominal (account) code by its kind: time,
expenses, vouchers, training or a donation. With it go a tax type (for
example "No VAT") and a tracking category, whose option is the project's cost
centre. A project's own value wins; an empty one uses the organisation's
(remun/organisation/settings.py). Nothing is guessed: a code nobody gave is
reported as missing, and the file is not made.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from remun.project_records.models import Project
from remun.organisation.models import ProjectAccounting
from remun.organisation.settings import all_settings
from remun.translation import N_

#: The kinds of cost, each with its own account code.
KINDS = ("time", "expenses", "vouchers", "training", "donation")
#: The fields a project may set for itself (each may be left empty).
PROJECT_FIELDS = tuple(f"code_{kind}" for kind in KINDS) + ("tax_type", "tracking_name", "tracking_option")
#: How long each may be (as the table holds it).
LONGEST = {**{f"code_{kind}": 50 for kind in KINDS}, "tax_type": 100, "tracking_name": 100, "tracking_option": 100}


#: Each field in words, for forms and for saying what is missing.
FIELD_LABELS = {
    "code_time": N_("Account code for time"),
    "code_expenses": N_("Account code for expenses"),
    "code_vouchers": N_("Account code for vouchers"),
    "code_training": N_("Account code for training"),
    "code_donation": N_("Account code for donations"),
    "tax_type": N_("Tax type"),
    "tracking_name": N_("Tracking category"),
    "tracking_option": N_("Tracking option (the project's cost centre)"),
}
MISSING_MESSAGE = N_("This file cannot be made yet. Not given: %(fields)s. Fill them in on the "
                     "organisation's accounting settings, or this project's. Remun never guesses a code.")


def missing_message(missing: list[str], gettext=lambda text: text) -> str:
    """A plain sentence naming what is missing, in the reader's language."""
    fields = ", ".join(gettext(FIELD_LABELS[field]) for field in missing)
    try:
        return gettext(MISSING_MESSAGE) % {"fields": fields}
    except (KeyError, ValueError, TypeError):
        return MISSING_MESSAGE % {"fields": fields}


@dataclass(frozen=True)
class AccountingCodes:
    """What one project's costs are coded with; empty text where nobody has said."""

    codes: dict[str, str]
    tax_type: str
    tracking_name: str
    tracking_option: str

    def missing(self, kinds) -> list[str]:
        """The fields needed for these kinds that nobody has given: ``code_time``, ``tax_type``, ...

        A tracking category is optional; once it is named, its option (the cost centre) is needed too.
        """
        wanted = [f"code_{kind}" for kind in KINDS if kind in set(kinds) and not self.codes.get(kind)]
        if not self.tax_type:
            wanted.append("tax_type")
        if self.tracking_name and not self.tracking_option:
            wanted.append("tracking_option")
        return wanted


class AccountingSettingsMissing(LookupError):
    """The file needs codes nobody has given; ``missing`` names them (fields of PROJECT_FIELDS)."""

    def __init__(self, project_id: int, missing: list[str]):
        super().__init__(f"project {project_id} has no {', '.join(missing)}")
        self.project_id = project_id
        self.missing = missing


def codes_for(session: Session, project: Project) -> AccountingCodes:
    """The project's codes, each its own where given, else the organisation's."""
    organisation = all_settings(session)
    own = session.get(ProjectAccounting, project.id)

    def pick(field: str, fallback: str) -> str:
        value = (getattr(own, field) or "").strip() if own is not None else ""
        return value or (fallback or "").strip()

    return AccountingCodes(
        codes={kind: pick(f"code_{kind}", organisation[f"accounting.code_{kind}"]) for kind in KINDS},
        tax_type=pick("tax_type", organisation["accounting.tax_type"]),
        tracking_name=pick("tracking_name", organisation["accounting.tracking_name"]),
        tracking_option=pick("tracking_option", project.cost_centre or ""),
    )


def require_codes(session: Session, project: Project, kinds) -> AccountingCodes:
    """The project's codes, or AccountingSettingsMissing naming what is needed and not given."""
    found = codes_for(session, project)
    missing = found.missing(kinds)
    if missing:
        raise AccountingSettingsMissing(project.id, missing)
    return found


def project_values(session: Session, project_id: int) -> dict[str, str]:
    """The project's own values (empty text where it uses the organisation's)."""
    own = session.get(ProjectAccounting, project_id)
    return {field: (getattr(own, field) or "") if own is not None else "" for field in PROJECT_FIELDS}


def change_project_accounting(session: Session, project_id: int, values: dict[str, str | None], *,
                              by_user_id: int | None) -> dict[str, str]:
    """Store a project's own codes (empty: use the organisation's), with an audit entry; the caller commits."""
    from remun.accounts import audit

    cleaned = {field: (values.get(field) or "").strip() for field in PROJECT_FIELDS}
    for field, value in cleaned.items():
        if len(value) > LONGEST[field]:
            raise ValueError(f"{field} is longer than {LONGEST[field]} characters")
    before = project_values(session, project_id)
    if cleaned == before:
        return cleaned
    own = session.get(ProjectAccounting, project_id)
    if own is None:
        own = ProjectAccounting(project_id=project_id)
        session.add(own)
    for field, value in cleaned.items():
        setattr(own, field, value or None)
    own.updated_by_id = by_user_id
    changed = {field: {"from": before[field], "to": value} for field, value in cleaned.items() if before[field] != value}
    audit.record(session, by_user_id, "project.accounting_changed", "project", project_id, changed)
    return cleaned
