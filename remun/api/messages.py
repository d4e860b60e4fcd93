"""The field messages of a 422's ``errors`` in the request's language.

marshmallow (through flask-smorest and webargs) writes each field's messages in English.
``MESSAGES`` marks, in this one place, every message the API's request schemas can give:
marshmallow's own for the fields and validators they use, webargs's for a body that is not
JSON, and Remun's. A request schema (``remun.api.schemas.Arguments``) swaps, on its own copies
of its fields and validators, each of these English messages for a ``Template``: the same words,
which keep the values they are filled with (``Message``). ``translated`` puts a problem's
``errors`` into the request's language when the problem is made (remun/api/problems.py, inside
``force_locale``): each template looked up in the catalogue, then filled with its values.

Nothing of marshmallow's is changed for other schemas: only the copies a request schema holds.
A message not marked here (a future field type's) is left in English rather than lost.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields

from remun.translation import N_

#: Remun's own: Money is sent out, never taken in (remun/api/schemas.py).
MONEY_NOT_INPUT = N_("Money is not taken as input.")

#: Every message a request can be answered with in ``errors``, as marshmallow 4 and webargs 8 write it
#: (placeholders in braces, filled after translation); translations keep the placeholders' names.
MESSAGES: frozenset[str] = frozenset({
    # Any field
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    # Schema (the body as a whole), and webargs
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Invalid JSON body."),
    # Field types
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Not a valid integer."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("\"{input}\" cannot be formatted as a date."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Invalid type."),
    N_("Must be one of: {choices}."),
    # Validators: Range (bounds included, as the API's are), Length, OneOf
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    MONEY_NOT_INPUT,
})


class Template(str):
    """A marked message, still in English; formatting it keeps the values, to fill in the translation."""

    __slots__ = ()

    def format(self, *args: Any, **values: Any) -> Message:  # type: ignore[override]
        return Message(str.format(self, *args, **values), self, values)


class Message(str):
    """A message as marshmallow filled it in (English), with its template and values."""

    __slots__ = ("template", "values")

    def __new__(cls, text: str, template: str, values: dict[str, Any]) -> Message:
        made = super().__new__(cls, text)
        made.template, made.values = template, values
        return made

    def __reduce__(self):  # copies keep the template and the values
        return (Message, (str(self), self.template, self.values))


def _marked(text: Any) -> Any:
    return Template(text) if type(text) is str and text in MESSAGES else text


def _marked_messages(messages: dict[str, Any]) -> dict[str, Any]:
    return {key: _marked(text) for key, text in messages.items()}


def _marked_validator(validator: Any) -> Any:
    """A copy of a marshmallow validator whose English messages are templates (``Range`` keeps the sentence
    chosen for its bounds on the instance, ``Length`` on its class: set on the copy either way)."""
    strings = {}
    for name in dir(validator):
        value = getattr(validator, name, None)
        if not name.startswith("__") and _marked(value) is not value:
            strings[name] = value
    if not strings:
        return validator
    marked = copy.copy(validator)
    for name, value in strings.items():
        setattr(marked, name, Template(value))
    return marked


def _inner_fields(field: fields.Field) -> Iterable[fields.Field]:
    if isinstance(field, fields.List):
        yield field.inner
    elif isinstance(field, fields.Tuple):
        yield from field.tuple_fields
    elif isinstance(field, fields.Mapping):
        yield from (inner for inner in (field.key_field, field.value_field) if inner is not None)


def mark_field(field: fields.Field) -> None:
    """Templates in place of English on one field of a schema's own (its inner fields too). New dicts and
    lists are assigned, never changed in place: a field's copy may share them with the declared field."""
    field.error_messages = _marked_messages(field.error_messages)
    field.validators = [_marked_validator(validator) for validator in field.validators]
    for inner in _inner_fields(field):
        mark_field(inner)


def mark_schema(schema: Schema) -> None:
    """Templates in place of English on a schema instance's messages and fields (nested schemas of the
    same kind mark themselves)."""
    schema.error_messages = _marked_messages(schema.error_messages)
    for field in schema.fields.values():
        mark_field(field)


def translated(errors: Any) -> Any:
    """``errors`` in the current locale, the same shape (where sent -> field -> messages; nested fields and
    list indexes): each marked message looked up and then filled with its own values."""
    if isinstance(errors, dict):
        return {key: translated(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translated(value) for value in errors]
    if isinstance(errors, Message):
        try:
            return gettext(errors.template).format(**errors.values)
        except (KeyError, IndexError, ValueError):  # a translation with a placeholder of its own: English, not a 500
            return str(errors)
    if isinstance(errors, str) and errors in MESSAGES and "{" not in errors:
        # Given as it is (webargs's "Invalid JSON body.", a schema's "Unknown field."): nothing to fill in.
        return gettext(errors)
    return errors
