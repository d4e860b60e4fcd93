"""A 422's ``errors`` in the request's language (remun/api/messages.py): each field's messages translated and
filled with their own values when the problem is made, the structure (where sent -> field -> messages; list
indexes) the same in every language. Both backends."""

from __future__ import annotations

import string

import marshmallow
import pytest
from flask_babel import force_locale, gettext

from remun.api import schemas
from remun.api.messages import MESSAGES, Template, _inner_fields
from remun.web.languages import LOCALES
from tests.helpers.api_world import bearer

PROBLEM = "application/problem+json"
LANGUAGES = ["en", "gd", "pl"]


def _in(app, code: str, message: str, **values) -> str:
    """``message`` as the catalogue of ``code`` has it, filled with ``values`` (never the English for gd and
    pl, or the test would prove nothing)."""
    with app.test_request_context("/"), force_locale(LOCALES[code]):
        words = gettext(message)
    assert code == "en" or words != message, f"no {code} translation of {message!r}"
    return words.format(**values)


def _errors(response, status: int = 422) -> dict:
    assert response.status_code == status and response.content_type == PROBLEM, response.get_data(as_text=True)
    return response.get_json()["errors"]


def _shape(errors):
    """The structure of ``errors`` without the words: each list of messages by its length."""
    if isinstance(errors, dict):
        return {key: _shape(value) for key, value in errors.items()}
    return len(errors)


@pytest.fixture
def send(app, world):
    client = app.test_client()
    headers = bearer(world["tokens"]["finance"])
    project = world["mine"]["project_id"]

    def send(code: str, method: str, path: str, **kwargs):
        return client.open(path.format(project=project), method=method,
                           headers={**headers, "Accept-Language": code}, **kwargs)
    return send


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_missing_required_field(app, send, code):
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/1/reject", json={}))
    assert errors == {"json": {"reason": [_in(app, code, "Missing data for required field.")]}}


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_wrong_type_inside_a_list_keeps_its_index(app, send, code):
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/approve",
                          json={"claim_ids": [1, "two", 3, 4.5]}))
    not_integer = _in(app, code, "Not a valid integer.")
    assert errors == {"json": {"claim_ids": {"1": [not_integer], "3": [not_integer]}}}


@pytest.mark.parametrize("code", LANGUAGES)
def test_an_unknown_field(app, send, code):
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/1/reverse",
                          json={"reason": "Entered twice", "colour": "red"}))
    assert errors == {"json": {"colour": [_in(app, code, "Unknown field.")]}}


@pytest.mark.parametrize("code", LANGUAGES)
def test_range_length_and_choices_are_filled_in_after_translation(app, send, code):
    errors = _errors(send(code, "GET", "/api/v1/projects?limit=0&cursor=" + "x" * 201))
    assert errors == {"query": {
        "limit": [_in(app, code, "Must be greater than or equal to {min} and less than or equal to {max}.",
                      min=1, max=200)],
        "cursor": [_in(app, code, "Longer than maximum length {max}.", max=200)],
    }}
    assert "200" in errors["query"]["limit"][0] and "{" not in errors["query"]["limit"][0]
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/1/reject", json={"reason": ""}))
    assert errors == {"json": {"reason": [_in(app, code, "Length must be between {min} and {max}.", min=1, max=2000)]}}
    errors = _errors(send(code, "GET", "/api/v1/projects/{project}/batches/1/file?format=pdf&part=x"))
    assert errors == {"query": {
        "format": [_in(app, code, "Must be one of: {choices}.", choices="csv, xlsx, xero, ledger-csv")],
        "part": [_in(app, code, "Not a valid integer.")],
    }}


@pytest.mark.parametrize("code", ["gd", "pl"])
def test_the_structure_is_the_same_in_every_language(send, code):
    requests = [
        ("POST", "/api/v1/projects/{project}/claims/approve", {"json": {"claim_ids": ["a", 2, "c"], "extra": 1}}),
        ("POST", "/api/v1/projects/{project}/claims/1/reject", {"json": {"reason": None, "why": "x"}}),
        ("GET", "/api/v1/projects/{project}/claims?limit=500&status=lost", {}),
    ]
    for method, path, kwargs in requests:
        english = _errors(send("en", method, path, **kwargs))
        translated = _errors(send(code, method, path, **kwargs))
        assert _shape(translated) == _shape(english)
        assert translated != english


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_body_that_is_not_json(app, send, code):
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/1/reject", data="{not json",
                          content_type="application/json"), 400)
    assert errors == {"json": [_in(app, code, "Invalid JSON body.")]}
    errors = _errors(send(code, "POST", "/api/v1/projects/{project}/claims/1/reject", json=["a list"]))
    assert errors == {"json": {"_schema": [_in(app, code, "Invalid input type.")]}}


@pytest.mark.parametrize("code", ["gd", "pl"])
def test_every_translation_keeps_the_placeholders(app, code):
    """A translation with another placeholder would fail (or say the wrong number) when filled in."""
    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    for message in MESSAGES:
        with app.test_request_context("/"), force_locale(LOCALES[code]):
            words = gettext(message)
        assert words != message and names(words) == names(message), (code, message, words)


def request_schemas(app) -> list[type]:
    """Each schema a path reads with ``@bp.arguments``."""
    read = []
    for endpoint, view in app.view_functions.items():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            schema = parameter["schema"]
            read.append(schema if isinstance(schema, type) else type(schema))
    return read


def test_every_request_schema_translates_its_messages(app):
    """Each schema a path reads with ``@bp.arguments`` derives from ``schemas.Arguments``."""
    read = request_schemas(app)
    assert read and all(issubclass(schema, schemas.Arguments) for schema in read), read


def test_every_sentence_a_request_schema_can_answer_with_is_marked(app):
    """A field or validator added later whose English is not among MESSAGES (an exclusive ``Range``, a
    date-time's format) would answer in English whatever the language: named here instead."""
    unmarked = []
    for schema_class in request_schemas(app):
        for name, field in schema_class().fields.items():
            for each in (field, *_inner_fields(field)):
                # A validator's sentences (not the words Range puts in them, "greater than" and the like).
                sentences = list(each.error_messages.values()) + [
                    getattr(validator, attribute) for validator in each.validators for attribute in dir(validator)
                    if attribute.startswith(("message", "error")) and str(getattr(validator, attribute)).endswith(".")]
                unmarked += [(schema_class.__name__, name, text) for text in sentences
                             if isinstance(text, str) and not isinstance(text, Template)]
    assert not unmarked, unmarked


def test_other_schemas_keep_marshmallow_s_own_messages():
    """Only the API's request schemas hold templates: marshmallow itself is not changed."""
    schemas.ReasonArgs()  # a request schema made first
    plain = marshmallow.Schema.from_dict({"reason": marshmallow.fields.String(required=True)})
    with pytest.raises(marshmallow.ValidationError) as refused:
        plain().load({})
    message = refused.value.messages["reason"][0]
    assert type(message) is str and message == "Missing data for required field."
    assert type(marshmallow.fields.Field.default_error_messages["required"]) is str


def test_without_accept_language_the_token_owner_s_choice(app, world, db_session):
    owner = world["users"]["finance"]
    owner.preferred_language = "pl"
    db_session.commit()
    response = app.test_client().post(f"/api/v1/projects/{world['mine']['project_id']}/claims/1/reject", json={},
                                      headers=bearer(world["tokens"]["finance"]))
    assert _errors(response) == {"json": {"reason": [_in(app, "pl", "Missing data for required field.")]}}
    assert response.headers["Content-Language"] == "pl"
