"""The parts of every page kept for each kind of reader (remun/web/chrome.py) are never another's.

Each reader's page, made while the parts are kept from other readers' pages, must be exactly the page
made afresh for them; and the readers' pages really do differ (so a part shown to the wrong reader
would be caught here). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest

from remun.organisation.settings import change_setting
from remun.project_records.models import Person
from remun.web.languages import LANGUAGES

KEPT = "remun.chrome"


def outside_main(response) -> str:
    """The page around its main content (the kept parts, and the signed-in line), its nonce set aside."""
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    html = html[:html.index("<main")] + html[html.index("</main>"):]
    return re.sub(r"nonce(=\"|-)[\w-]+", "nonce", html)


def header(html: str) -> str:
    return html[html.index("<header"):html.index("</header>")]


@pytest.fixture
def readers(client_for, make_user, db_session, led_project):
    other = Person(name="Robin Reader", email="robin@example.org")
    db_session.add(other)
    db_session.commit()
    people = {"admin": make_user("admin"), "finance": make_user("finance"),
              "lead": make_user("lead", projects=[led_project]),
              "participant": make_user("participant", person=Person(name="Pat Participant")),
              "other participant": make_user("participant", person=other), "nobody": None}
    return {name: client_for(user) for name, user in people.items()}


def pages(app, readers, path, *, afresh: bool) -> dict:
    """Each reader's page in each language, in turn; ``afresh``: with nothing kept before each."""
    seen = {}
    for language in LANGUAGES:
        for name, reader in readers.items():
            reader.set_cookie("remun_lang", language)
            if afresh:
                app.extensions.pop(KEPT, None)
            seen[name, language] = outside_main(reader.get(path))
    return seen


def test_every_reader_in_every_language_sees_what_they_would_see_afresh(app, readers):
    kept = pages(app, readers, "/glossary", afresh=False)
    assert app.extensions[KEPT]  # the parts were kept (and served from there to later readers)
    assert kept == pages(app, readers, "/glossary", afresh=True)

    # The readers' pages differ, so a part made for one and shown to another would fail above.
    headers = {key: header(page) for key, page in kept.items()}
    assert 'href="/audit/"' in headers["admin", "en"]
    assert 'href="/audit/"' not in headers["finance", "en"]
    assert 'href="/parity"' in headers["finance", "en"] and 'href="/parity"' not in headers["lead", "en"]
    assert "/home" in headers["participant", "en"] and headers["participant", "en"] != headers["other participant", "en"]
    assert 'href="/sign-in' in headers["nobody", "en"]
    assert len({headers["admin", language] for language in LANGUAGES}) == len(LANGUAGES)
    assert len({kept["finance", language] for language in LANGUAGES}) == len(LANGUAGES)


def test_the_section_a_page_belongs_to_is_marked_on_its_own_pages_only(app, client):
    for path, section in (("/projects/", "Projects"), ("/parity", "Parity"), ("/glossary", None)):
        kept = header(outside_main(client.get(path)))
        app.extensions.pop(KEPT, None)
        assert kept == header(outside_main(client.get(path)))
        current = re.findall(r'service-navigation__active-fallback">([^<]+)<', kept)
        assert current == ([section] if section else [])


def test_a_lead_sees_import_as_soon_as_leads_may_create_projects(app, db_session, lead_user, client_for):
    lead = client_for(lead_user)
    change_setting(db_session, "projects.leads_may_create", False, by_user_id=None)
    db_session.commit()
    assert 'href="/import' not in header(outside_main(lead.get("/glossary")))
    change_setting(db_session, "projects.leads_may_create", True, by_user_id=None)
    db_session.commit()
    assert 'href="/import' in header(outside_main(lead.get("/glossary")))


def test_breadcrumbs_and_the_language_switcher_are_each_pages_own(app, db_session, client, client_for, make_user,
                                                                   led_project):
    from remun.project_records.models import Project

    other = Project(name="Another project")
    db_session.add(other)
    db_session.commit()
    lead = client_for(make_user("lead", projects=[led_project]))
    paths = [f"/projects/{led_project.id}/parity", f"/projects/{other.id}/parity", "/glossary", "/glossary?from=footer"]
    kept = {(name, path): outside_main(reader.get(path)) for path in paths
            for name, reader in (("admin", client), ("lead", lead)) if not (name == "lead" and str(other.id) in path)}
    for (name, path), page in kept.items():
        app.extensions.pop(KEPT, None)
        assert page == outside_main((client if name == "admin" else lead).get(path))
    crumbs = {key: page[page.index('<nav class="govuk-breadcrumbs'):] for key, page in kept.items() if "/parity" in key[1]}
    assert "Another project" in crumbs["admin", f"/projects/{other.id}/parity"]
    assert "Another project" not in crumbs["admin", f"/projects/{led_project.id}/parity"]
    assert "next=/glossary?from%3Dfooter" in kept["admin", "/glossary?from=footer"] or \
        "next=/glossary?from=footer" in kept["admin", "/glossary?from=footer"]
