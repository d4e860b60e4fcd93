"""The languages Remun speaks."""

#: Languages with a complete catalogue, by the code people choose, each named
#: in its own language (the switcher marks each name with its ``lang``).
LANGUAGES = {"en": "English", "gd": "Gàidhlig", "pl": "Polski"}
#: The Babel locale that formats each language's numbers, money and dates
#: (British English for "en"; Gaelic as written in Scotland).
LOCALES = {"en": "en_GB", "gd": "gd_GB", "pl": "pl_PL"}
DEFAULT_LANGUAGE = "en"


def language_code(value: str | None) -> str | None:
    """The language code for a stored preference or locale ("pl", "pl_PL", "gd-GB"), if Remun speaks it."""
    if not value:
        return None
    code = value.replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


# --- Choosing the language of a request (Flask) --------------------------------------------------

#: The cookie that remembers the switcher's choice for people who are not signed in.
COOKIE = "remun_lang"
COOKIE_SECONDS = 365 * 24 * 3600


def request_language() -> str:
    """The language for this request: the signed-in account's choice, else their person's
    preferred language, else the switcher's cookie, else the browser's Accept-Language
    (an API call's is ``api_language``)."""
    from flask import has_request_context, request

    if not has_request_context():
        return DEFAULT_LANGUAGE
    from remun.api.address import is_api_call

    if is_api_call():
        return api_language()
    chosen = _account_language()
    if chosen:
        return chosen
    chosen = language_code(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def api_language() -> str:
    """The language of an API request (its problem details, and any words in the files it sends): the one the
    request's Accept-Language asks for (a program sends it on purpose), else the token owner's choice as on
    the pages, else English. The API takes no cookies, so the switcher's is not read."""
    from flask import request

    asked = [(value, quality) for value, quality in request.accept_languages if value != "*"]
    chosen = type(request.accept_languages)(asked).best_match(list(LANGUAGES)) if asked else None
    return chosen or _account_language() or DEFAULT_LANGUAGE


def _account_language() -> str | None:
    """The signed-in account's (or token owner's) choice, else their person's preferred language."""
    from flask_login import current_user

    if not (current_user and current_user.is_authenticated):
        return None
    person = current_user.person
    return language_code(current_user.preferred_language) or (
        language_code(person.preferred_language) if person is not None else None)


def request_locale() -> str:
    """The Babel locale for this request (Flask-Babel's locale selector)."""
    return LOCALES[request_language()]


def remember_choice(response, code: str):
    """Keep the switcher's choice: in a cookie, and on the account when someone is signed in."""
    from flask_login import current_user

    if code not in LANGUAGES:
        return response
    response.set_cookie(COOKIE, code, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True)
    if current_user and current_user.is_authenticated and current_user.preferred_language != code:
        from remun.accounts import operations as account_operations
        from remun.web.extensions import db
        from remun.web.pages import commit

        if account_operations.choose_language(db.session, current_user.user, code):
            commit()
    return response


def offer_text(text: str | None) -> str:
    """Words an organisation keeps in a settings file (remun/reciprocity/offers.toml): Remun's own
    default words are translated (remun/reciprocity/offer_texts.py marks them); words the
    organisation wrote itself are shown as written."""
    if not text:
        return ""  # gettext("") would give the catalogue's header
    from flask_babel import gettext

    return gettext(text)


def register(app) -> None:
    """Choose each request's language afresh (Flask-Babel caches it on the app context,
    which can outlive one request, for example in tests)."""
    from flask_babel import refresh

    app.before_request(refresh)
    app.jinja_env.globals["offer_text"] = offer_text
