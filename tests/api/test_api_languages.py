"""Problem details in the request's language (remun/api/problems.py): Accept-Language, else the token owner's
choice, else English; ``type`` and ``status`` the same in every language. Both backends."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from remun.api.problems import DETAILS, TITLES
from remun.web.languages import LOCALES
from tests.helpers.api_world import bearer

PROBLEM = "application/problem+json"


def _in(app, code: str, message: str) -> str:
    """``message`` as the catalogue of ``code`` has it (never the English, or the test would prove nothing)."""
    with app.test_request_context("/"), force_locale(LOCALES[code]):
        words = gettext(message)
    assert code == "en" or words != message, f"no {code} translation of {message!r}"
    return words


def _problem(response, status: int) -> dict:
    assert response.status_code == status and response.content_type == PROBLEM, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("code", ["pl", "gd"])
def test_a_problem_follows_accept_language(app, world, code):
    client = app.test_client()
    missing = "/api/v1/projects/999999"
    headers = bearer(world["tokens"]["finance"])
    english = _problem(client.get(missing, headers=headers), 404)
    response = client.get(missing, headers={**headers, "Accept-Language": f"{code}, en;q=0.5"})
    translated = _problem(response, 404)
    assert translated["title"] == _in(app, code, TITLES[404]) and translated["detail"] == _in(app, code, DETAILS[404])
    assert (translated["type"], translated["status"]) == (english["type"], english["status"]) == ("about:blank", 404)
    assert response.headers["Content-Language"] == code and "Accept-Language" in response.headers["Vary"]
    # Remun's own problem, refused before any token is read: the header is all there is to go on.
    token = _problem(client.get("/api/v1/projects", headers={"Accept-Language": code}), 401)
    assert token["type"].endswith("/problems/token") and "Authorization" in token["detail"]
    assert token["detail"] != _problem(client.get("/api/v1/projects"), 401)["detail"]


def test_without_accept_language_the_token_owner_s_choice(app, world, db_session):
    client = app.test_client()
    owner = world["users"]["finance"]
    owner.preferred_language = "gd"  # chosen with the switcher, kept on the account
    db_session.commit()
    headers = bearer(world["tokens"]["finance"])
    gaelic = _problem(client.get("/api/v1/projects/999999", headers=headers), 404)
    assert gaelic["detail"] == _in(app, "gd", DETAILS[404])
    polish = _problem(client.get("/api/v1/projects/999999", headers={**headers, "Accept-Language": "pl"}), 404)
    assert polish["detail"] == _in(app, "pl", DETAILS[404])  # what the request asks for comes first
    # A language Remun does not speak: the owner's choice again.
    assert _problem(client.get("/api/v1/projects/999999", headers={**headers, "Accept-Language": "fr"}),
                    404)["detail"] == gaelic["detail"]


def test_the_documentation_page_is_a_page_like_any_other(app):
    """/api/v1/docs is for people: the switcher's choice (its cookie) comes before the browser's header."""
    client = app.test_client()
    client.set_cookie("remun_lang", "gd")
    page = client.get("/api/v1/docs", headers={"Accept-Language": "pl"})
    assert page.status_code == 200 and '<html lang="gd"' in page.get_data(as_text=True)
