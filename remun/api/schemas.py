"""The API's marshmallow schemas: the same ones validate requests and describe them in the OpenAPI document.

Money is a string with two decimals (``"90.00"``), never a float; hours and
published rates are decimal strings too, exactly as stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from marshmallow import Schema, ValidationError, fields, validate

from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.ledger.models import BatchStatus, ClaimKind, ClaimStatus
from remun.api.messages import MONEY_NOT_INPUT, mark_schema
from remun.money import round_money

MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class Money(fields.Field):
    """A sum of money: a string with two decimals, rounded once by Remun's rule."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": MONEY_PATTERN, "example": "90.00"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{round_money(Decimal(value)):.2f}"

    def _deserialize(self, value, attr, data, **kwargs):
        raise ValidationError(MONEY_NOT_INPUT)


class DecimalString(fields.Field):
    """Hours or a published rate: a decimal number as a string, as stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": DECIMAL_PATTERN, "example": "3.5"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        text = format(Decimal(value).normalize(), "f")
        return text


class UtcDateTime(fields.DateTime):
    """A moment in ISO 8601 with its offset: UTC, as stored (SQLite hands back times without one)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _enum(enum_class):
    return fields.Enum(enum_class, by_value=True, required=True)


class ProjectSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    cost_centre = fields.String(allow_none=True, required=True)
    currency = fields.String(required=True, metadata={"example": "GBP"})
    start_date = fields.Date(allow_none=True, required=True)
    end_date = fields.Date(allow_none=True, required=True)
    location = fields.String(allow_none=True, required=True)


class EqualRoleSchema(Schema):
    """A group of equal roles, whose pay is compared (parity)."""

    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True, required=True)
    role_ids = fields.Method("_role_ids", required=True, metadata={"type": "array", "items": {"type": "integer"}})

    def _role_ids(self, group) -> list[int]:
        return [role.id for role in group.roles]


class PayTermsSchema(Schema):
    id = fields.Integer(required=True)
    effective_from = fields.Date(required=True)
    basis = _enum(PayBasis)
    rate = Money(allow_none=True, required=True)
    rate_card_ref = fields.String(allow_none=True, required=True)
    session_hours = DecimalString(required=True)
    prep_hours = DecimalString(required=True)
    prep_paid = fields.Boolean(required=True)
    travel_hours = DecimalString(required=True)
    travel_paid = fields.Boolean(required=True)


class RoleSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    equal_role_id = fields.Integer(attribute="group_id", allow_none=True, required=True)
    title = fields.String(required=True)
    kind = _enum(RoleKind)
    terms = fields.List(fields.Nested(PayTermsSchema), required=True)


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    preferred_language = fields.String(required=True)
    payee_reference = fields.String(allow_none=True, required=True)
    reciprocity = _enum(Reciprocity)


class SessionSchema(Schema):
    """A session (a meeting) of a project."""

    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    title = fields.String(required=True)
    hours = DecimalString(required=True)


class ExpenseSchema(Schema):
    id = fields.Integer(required=True)
    amount = Money(required=True)
    category = _enum(ExpenseCategory)


class AttendanceSchema(Schema):
    id = fields.Integer(required=True)
    session_id = fields.Integer(attribute="meeting_id", required=True)
    person_id = fields.Integer(required=True)
    role_id = fields.Integer(required=True)
    hours = DecimalString(required=True)
    prep_hours = DecimalString(required=True)
    travel_hours = DecimalString(required=True)
    expenses = fields.List(fields.Nested(ExpenseSchema), required=True)


class ClaimSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    attendance_id = fields.Integer(required=True)
    kind = _enum(ClaimKind)
    status = _enum(ClaimStatus)
    amount = Money(required=True)
    basis = fields.Enum(PayBasis, by_value=True, allow_none=True, required=True)
    rate = Money(allow_none=True, required=True)
    hours = DecimalString(allow_none=True, required=True)
    submitted_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True, required=True)
    decision_reason = fields.String(allow_none=True, required=True)


class BatchItemSchema(Schema):
    claim_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    amount = Money(required=True)


class BatchSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    status = _enum(BatchStatus)
    created_at = UtcDateTime(required=True)
    paid_at = UtcDateTime(allow_none=True, required=True)
    total = Money(required=True)
    payees = fields.Integer(required=True)
    items = fields.List(fields.Nested(BatchItemSchema), required=True)


class BalanceSchema(Schema):
    person_id = fields.Integer(required=True)
    owed = Money(required=True)
    paid = Money(required=True)
    in_kind = Money(required=True)
    declined = Money(required=True)


class ProjectBalancesSchema(Schema):
    project_id = fields.Integer(required=True)
    project_cost = Money(required=True)
    cost_time = Money(required=True)
    cost_expenses = Money(required=True)
    people = fields.List(fields.Nested(BalanceSchema), required=True)


class RateSchema(Schema):
    ref = fields.String(required=True, metadata={"example": "living-wage-foundation/real-living-wage-uk"})
    label = fields.String(required=True)
    amount = DecimalString(required=True)
    per = fields.String(required=True)
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(allow_none=True, required=True)
    status = fields.String(required=True)
    url = fields.String(required=True)
    origin = fields.String(required=True)


class ParitySchema(Schema):
    """The project's parity report, as on its page and in ``parity.json`` (money and percentages as strings)."""

    project_id = fields.Integer(required=True)
    report = fields.Dict(required=True)


class MeSchema(Schema):
    user_id = fields.Integer(attribute="id", required=True)
    role = fields.String(attribute="role.value", required=True)
    person_id = fields.Integer(allow_none=True, required=True)
    project_ids = fields.List(fields.Integer(), required=True)
    token_scope = fields.String(required=True)


class ProblemSchema(Schema):
    """An error, as an RFC 9457 problem detail (``application/problem+json``)."""

    type = fields.String(required=True, metadata={"description": "about:blank, or the address of Remun's own "
                                                                 "kind of problem (docs/api.md)."})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(metadata={"description": "What happened, in plain words."})
    errors = fields.Dict(metadata={"description": "For 422: each field's messages, by where it was sent "
                                                  "(json, query) and its name (a list's items by index); the "
                                                  "messages in the request's language, like title and detail."})


class Arguments(Schema):
    """What a request sends (its body or query): each schema ``@bp.arguments`` reads derives from this, so
    that its field messages in a 422's ``errors`` follow the request's language (remun/api/messages.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mark_schema(self)


# --- Lists: a page of items and the address of the next -------------------------------------------

class PageArgs(Arguments):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200),
                           metadata={"description": "How many items at most (1 to 200)."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"description": "From the `next` link of the page before; opaque."})


class ClaimPageArgs(PageArgs):
    status = fields.Enum(ClaimStatus, by_value=True, load_default=None)


@cache
def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A schema for one page of ``item_schema``: ``items`` and ``next`` (null on the last page)."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next": fields.String(allow_none=True, required=True,
                              metadata={"description": "The next page's address, or null on the last page."}),
    })


# --- What changes take ---------------------------------------------------------------------------

class ApproveArgs(Arguments):
    claim_ids = fields.List(fields.Integer(strict=True), load_default=None, validate=validate.Length(max=1000),
                            metadata={"description": "The claims to approve; all that are waiting when left out."})


class ReasonArgs(Arguments):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "Why; shown to the person."})


class ApprovalResultSchema(Schema):
    approved = fields.List(fields.Integer(), required=True)
    already_decided = fields.List(fields.Integer(), required=True)


class BatchFileArgs(Arguments):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx", "xero", "ledger-csv"]))
    part = fields.Integer(validate=validate.Range(min=1, max=10_000),
                          metadata={"description": "One of the numbered files of a Xero file past 500 bills."})
