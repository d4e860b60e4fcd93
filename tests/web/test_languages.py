"""Languages: complete Gaelic and Polish catalogues, the language switcher, each person's
language, Babel formatting per locale, and the glossary.

Runs on SQLite and PostgreSQL (the page tests). The catalogue checks are what
``make test`` and ``make check-translations`` also run.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select

from remun import catalogues
from remun.accounts.models import AuditEvent, User
from remun.glossary import TERMS
from remun.web import formatting
from remun.web.glossary_links import _pattern
from remun.web.languages import LANGUAGES, LOCALES

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module", autouse=True)
def compiled():
    catalogues.compile_catalogues()


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def main_text(response) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


# --- The catalogues ------------------------------------------------------------------------------

def test_the_template_is_current_and_every_catalogue_is_complete_with_nothing_fuzzy():
    problems = catalogues.all_problems()
    assert problems == [], "\n".join(problems[:40]) + f"\n... {len(problems)} problems in all"


@pytest.mark.parametrize("language", catalogues.TRANSLATED)
def test_translations_keep_every_placeholder_and_the_languages_plural_forms(language):
    with catalogues.po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    assert catalog.num_plurals == get_plural(language).num_plurals
    wrong = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or not all(strings):
            continue  # untranslated: the completeness test reports it
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            # A plural form may leave out the number (Gaelic "one" says it in words), nothing else.
            have = set(PLACEHOLDER.findall(string))
            if have - wanted or (wanted - have) - ({"count", "amount", "number", "num", "n"} if len(strings) > 1 else set()):
                wrong.append((ids[0], string))
    assert wrong == []
    assert [error for error in catalog.check()] == []


@pytest.mark.parametrize("language", catalogues.TRANSLATED)
def test_the_compiled_catalogue_translates(language):
    translations = Translations.load(str(catalogues.TRANSLATIONS), [LOCALES[language]])
    assert translations.gettext("Sign in") not in ("", "Sign in")
    assert translations.gettext("Words we use") != "Words we use"


def test_templates_hold_no_text_outside_gettext():
    """Text in a template outside {{ _('...') }} would show in English in every language."""
    from jinja2 import Environment

    lexer = Environment(extensions=["jinja2.ext.i18n"])

    class TextFinder(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.found = [], []

        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)
            for name, value in attrs:
                if name in ("alt", "title", "aria-label", "placeholder") and value and re.search(r"[A-Za-z]{2}", value):
                    self.found.append(f"{name}={value}")

        def handle_endtag(self, tag):
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]

        def handle_data(self, data):
            if not {"script", "style", "code"} & set(self.stack) and re.search(r"[A-Za-z]{2}", data):
                self.found.append(data.strip())

    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        # Only the template's own text: everything inside {{ }}, {% %} and {# #} becomes a space.
        text = "".join(value if kind == "data" else " " for _line, kind, value in lexer.lex(source))
        finder = TextFinder()
        finder.feed(text)
        if finder.found:
            found[str(path.relative_to(TEMPLATES))] = finder.found
    assert found == {}


# --- Choosing the language -----------------------------------------------------------------------

def test_every_page_offers_each_language_named_in_itself(anonymous_client):
    html = anonymous_client.get("/sign-in").get_data(as_text=True)
    switcher = html[html.index('class="remun-language-switcher"'):]
    switcher = switcher[:switcher.index("</nav>")]
    for code, name in LANGUAGES.items():
        assert f'lang="{code}"' in switcher and name in switcher


def test_with_no_choice_the_browsers_language_is_used(anonymous_client):
    assert html_lang(anonymous_client.get("/sign-in")) == "en"
    assert html_lang(anonymous_client.get("/sign-in", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})) == "pl"
    assert html_lang(anonymous_client.get("/sign-in", headers={"Accept-Language": "fr, de"})) == "en"


def test_the_switcher_remembers_the_choice_of_someone_not_signed_in(anonymous_client):
    response = anonymous_client.get("/language/gd?next=/sign-in")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    page = anonymous_client.get("/sign-in", headers={"Accept-Language": "pl"})
    assert html_lang(page) == "gd"
    assert "Sign in" not in main_text(page)


def test_the_switcher_refuses_other_sites_and_unknown_languages(client_for):
    assert client_for(None).get("/language/pl?next=//evil.example/").headers["Location"] == "/"
    browser = client_for(None)
    browser.get("/language/xx?next=/sign-in")
    assert html_lang(browser.get("/sign-in")) == "en"


def test_a_signed_in_choice_is_saved_on_the_account_and_audited(client_for, make_user, db_session):
    user = make_user("finance")
    browser = client_for(user)
    browser.get("/language/pl?next=/account")
    assert db_session.get(User, user.id).preferred_language == "pl"
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "user.language_chosen",
                                                      AuditEvent.object_id == str(user.id))) is not None
    # A new browser (no cookie) still gets Polish, whatever the browser asks for.
    assert html_lang(client_for(user).get("/account", headers={"Accept-Language": "en"})) == "pl"


def test_a_participant_sees_their_preferred_language_when_they_sign_in(participant_user, client_for, db_session):
    participant_user.person.preferred_language = "gd"
    db_session.commit()
    page = client_for(participant_user).get("/account", headers={"Accept-Language": "en"})
    assert html_lang(page) == "gd"
    # Their own choice with the switcher wins over the language on their record.
    browser = client_for(participant_user)
    browser.get("/language/pl?next=/account")
    assert html_lang(browser.get("/account")) == "pl"


# --- Babel formats numbers, money and dates for the reader ---------------------------------------

@pytest.mark.parametrize(("language", "money", "number", "date"), [
    ("en", "£1,234.50", "1,234.50", "5 March 2026"),
    ("pl", "1\u00a0234,50\u00a0GBP", "1\u00a0234,50", "5 marca 2026"),
    ("gd", "£1,234.50", "1,234.50", "dhen Mhàrt 2026"),
])
def test_money_numbers_and_dates_follow_the_locale(app, language, money, number, date):
    with app.test_request_context("/"), force_locale(LOCALES[language]):
        assert formatting.money(Decimal("1234.5")) == money
        assert formatting.number(Decimal("1234.5")) == number
        assert date in formatting.long_date(dt.date(2026, 3, 5))


def test_a_finance_export_in_polish_has_polish_headings_and_formats(client_for, finance_user, db_session, rate_book):
    from tests.helpers.exports import settled_project

    project, _batch = settled_project(db_session, rate_book)
    db_session.commit()
    browser = client_for(finance_user)
    browser.get("/language/pl?next=/exports/")
    from tests.helpers.exports import workbook_through_its_job

    response = workbook_through_its_job(browser, f"/exports/download?projects={project.id}&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert "Summary" not in book.sheetnames and "Ledger" not in book.sheetnames
    formats = {cell.number_format for row in book.worksheets[1].iter_rows(min_row=2) for cell in row}
    assert any("GBP" in fmt or "£" in fmt for fmt in formats)
    assert any(fmt.lower().endswith(".mm.yyyy") for fmt in formats), formats  # Polish dates: 5.03.2026


# --- The glossary --------------------------------------------------------------------------------

def test_the_glossary_explains_every_term_in_one_sentence_for_anyone(anonymous_client):
    page = anonymous_client.get("/glossary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for term in TERMS:
        assert f'id="{term.slug}"' in html
        assert term.meaning.count(". ") == 0 and term.meaning.endswith("."), term.slug
    for slug in ("reciprocity", "co-production", "parity", "equal-role", "cost-centre", "accrual", "payee-reference",
                 "real-living-wage", "ledger", "batch", "in-kind", "claim"):
        assert f'id="{slug}"' in html


def test_the_glossary_is_translated(anonymous_client):
    anonymous_client.get("/language/pl?next=/glossary")
    text = main_text(anonymous_client.get("/glossary"))
    assert "Money we owe" not in text


def render_main(app, source: str, **values) -> str:
    """A template rendered as a page's main content is (base.html marks where it begins and ends)."""
    with app.test_request_context("/parity"):
        template = app.jinja_env.from_string(
            "{% set g = glossary_begin() %}<main>" + source + "</main>{% set g = glossary_end() %}")
        return template.render(**values)


def test_a_term_is_linked_where_it_first_appears_and_only_there(app):
    source = ('<h1>{{ "Parity" }}</h1><p>{{ "The “Parity group” has parity." }}</p>'
              '<p class="govuk-hint">{{ "An equal role is" }} hinted</p><p title="{{ \'the equal role is\' }}">'
              '{{ "Roles in an equal role get parity now." }}</p><p>{{ "More parity here." }}</p>'
              '<a href="/x">{{ "equal roles" }}</a><label>{{ "parity" }}</label><p>{{ "A ledger." }}</p>')
    linked = render_main(app, source)
    # Not in the heading, the quoted name, against a full stop, a hint, an attribute, a link or a label:
    # the first between spaces.
    assert linked == ('<main><h1>Parity</h1><p>The “Parity group” has parity.</p>'
                      '<p class="govuk-hint">An equal role is hinted</p><p title="the equal role is">Roles in an '
                      '<a class="govuk-link remun-term" href="/glossary#equal-role">equal role</a> get '
                      '<a class="govuk-link remun-term" href="/glossary#parity">parity</a> now.</p>'
                      '<p>More parity here.</p><a href="/x">equal roles</a><label>parity</label><p>A ledger.</p></main>')

    def text(markup):
        return " ".join(re.sub(r"<[^>]+>", " ", markup).split())

    with app.test_request_context("/parity"):
        plain = app.jinja_env.from_string("<main>" + source + "</main>").render()  # not marked as a page's main content
    assert "remun-term" not in plain
    assert text(linked) == text(plain)  # the words read exactly as before


def test_outside_the_main_content_and_in_markup_already_made_nothing_is_linked(app):
    with app.test_request_context("/parity"):
        outside = app.jinja_env.from_string("<p>{{ 'The ledger is here' }} now</p>").render()
    assert "remun-term" not in outside
    made = render_main(app, "<p>{{ made }}</p><p>{{ 'The ledger is here' }} now</p>",
                       made=Markup("<span>A ledger made elsewhere</span>"))
    assert made.count("remun-term") == 1 and "<span>A ledger made elsewhere</span>" in made


def test_terms_on_real_pages_link_to_the_glossary(client, db_session):
    from remun.project_records.models import Project

    project = Project(name="Glossary test project", cost_centre="GL-1")
    db_session.add(project)
    db_session.commit()
    html = client.get(f"/projects/{project.id}/parity").get_data(as_text=True)
    assert 'href="/glossary#parity"' in html or 'href="/glossary#equal-role"' in html


def test_a_long_page_is_linked_near_the_top_and_otherwise_left_exactly_as_it_was(app):
    from remun.web.glossary_links import TEXT_CHARACTERS

    source = ("<p>{{ 'The ledger is here.' }}</p><table>{% for row in rows %}<tr><td>{{ row }}</td></tr>{% endfor %}"
              "</table><p>{{ 'An accrual is there.' }}</p>")
    linked = render_main(app, source, rows=["row"] * (TEXT_CHARACTERS // 3))
    assert linked.count('href="/glossary#ledger"') == 1
    assert "#accrual" not in linked  # beyond the part that is read
    plain = linked.replace('<a class="govuk-link remun-term" href="/glossary#ledger">ledger</a>', "ledger")
    assert "remun-term" not in plain and plain.count("<td>row</td>") == TEXT_CHARACTERS // 3


def test_pages_are_not_parsed_again_after_they_render_and_terms_are_still_linked(client, db_session, monkeypatch):
    """Links are made as templates render: no hook reads the response afterwards, and no HTML parser runs."""
    from remun.project_records.models import Project
    from remun.web import glossary_links

    hooks = [hook for hooks in client.application.after_request_funcs.values() for hook in hooks]
    assert not [hook for hook in hooks if getattr(hook, "__module__", "") == glossary_links.__name__]

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("a response was parsed again")

    monkeypatch.setattr(HTMLParser, "feed", no_parsing)
    project = Project(name="Glossary pages project", cost_centre="GL-3")
    db_session.add(project)
    db_session.commit()
    for language in ("en", "gd", "pl"):
        client.get(f"/language/{language}?next=/")
        linked_somewhere = False
        for page in ("/", f"/projects/{project.id}", f"/projects/{project.id}/parity", "/parity", "/rates/", "/budgets/"):
            html = client.get(page).get_data(as_text=True)
            slugs = re.findall(r'class="govuk-link remun-term" href="/glossary#([a-z-]+)"', html)
            assert len(slugs) == len(set(slugs)), (language, page, slugs)  # each term linked once at most
            main = html[html.index("<main"):html.index("</main>")]
            assert len(re.findall("remun-term", main)) == len(slugs)  # only in the main content
            linked_somewhere = linked_somewhere or bool(slugs)
        assert linked_somewhere, language
    assert "remun-term" not in client.get("/glossary").get_data(as_text=True)


@pytest.mark.parametrize(("term", "language", "text"), [
    ("równa rola", "pl", "Role w tej równej roli"),
    ("wniosek", "pl", "Wnioski do zatwierdzenia"),
    ("dreuchd cho-ionann", "gd", "ann an dreuchdan co-ionann"),
    ("Fìor Thuarastal Bith-beò", "gd", "fon Fhìor Thuarastal Bith-beò"),
])
def test_terms_are_found_however_polish_and_gaelic_change_their_words(term, language, text):
    pattern = _pattern(term, english=False, gaelic=language == "gd")
    assert pattern.search(text)
    assert not _pattern(term, english=False, gaelic=language == "gd").search("coś zupełnie innego")


def test_a_polish_page_links_its_terms(client, db_session):
    from remun.project_records.models import Project

    project = Project(name="Projekt", cost_centre="GL-2")
    db_session.add(project)
    db_session.commit()
    client.get("/language/pl?next=/")
    html = client.get(f"/projects/{project.id}/parity").get_data(as_text=True)
    assert html_lang_of(html) == "pl"
    assert 'href="/glossary#equal-role"' in html or 'href="/glossary#parity"' in html


def html_lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_the_default_offers_words_are_marked_for_translation_and_shown_translated(client_for, participant_user):
    """offers.toml is settings, not code: its default words are listed in offer_texts.py to be translated."""
    import tomllib

    from remun.reciprocity.offer_texts import DEFAULT_OFFER_TEXTS
    from remun.reciprocity.offers import DEFAULT_OFFERS

    data = tomllib.loads(DEFAULT_OFFERS.read_text(encoding="utf-8"))
    words = {text for offer in data.get("no_bank_account", []) for text in (offer["name"], offer.get("explanation"))}
    words.add(data.get("training", {}).get("explanation"))
    assert words - {None, ""} == set(DEFAULT_OFFER_TEXTS)

    browser = client_for(participant_user)
    browser.get("/language/pl?next=/account")
    page = browser.get(f"/people/{participant_user.person_id}/thanks/no_bank").get_data(as_text=True)
    assert html_lang_of(page) == "pl"
    assert "A prepaid payment card" not in page and "We post a cheque to you" not in page


@pytest.mark.parametrize("language", catalogues.TRANSLATED)
def test_no_page_shows_english_words_in_gaelic_or_polish(client, db_session, app, language):
    """Every page of the demo, read in Gaelic and in Polish, holds no English text from the catalogue.

    Strings the language keeps as they are (names such as Universal Credit) are allowed. The
    rates page is left out: its rate names come from the published rate files, not from Remun.
    """
    from remun.project_records.demo import load_demo
    from tests.helpers.browser import PAGES

    with app.test_request_context():
        project = load_demo(db_session, app.extensions["remun.rates"])
    db_session.commit()
    # The browser tests' addresses name the demo's first records by id 1; here ids may differ.
    ids = {"projects": project.id, "roles": project.roles[0].id, "sessions": project.meetings[0].id,
           "groups": project.groups[0].id, "people": project.roles[0].appointments[0].person_id}
    with catalogues.po_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    english = {message.id for message in catalog
               if isinstance(message.id, str) and message.string != message.id
               and len(message.id.split()) >= 2 and "%(" not in message.id}
    client.get(f"/language/{language}?next=/")
    found = {}
    for path in PAGES:
        if path == "/rates/" or "/letters/" in path or "/tax-years/" in path or "/claims/" in path:
            continue  # papers are in the person's own language; a claim's id differs here (the browser test reads it)
        address = re.sub(r"/(projects|roles|sessions|groups|people)/1(?=/|$)",
                         lambda match: f"/{match.group(1)}/{ids[match.group(1)]}", path)
        response = client.get(address, follow_redirects=True)
        assert response.status_code == (404 if path == "/no-such-page" else 200), address
        html = response.get_data(as_text=True)
        texts = {" ".join(text.split()) for text in re.split(r"<[^>]+>", html[html.find("<body"):])}
        if texts & english:
            found[path] = sorted(texts & english)
    assert found == {}
