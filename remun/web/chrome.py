"""Parts of every page around its content, made once for each kind of reader and kept (issue 19).

Every page showed the same header, footer and links, worked out afresh each time (the header twice:
GOV.UK's page template renders it once to see whether it is empty, then again to show it), which
cost about a third of a kept parity page's time. Each part is kept under a key of everything it
depends on, always with the reader's language and the site's root path (the addresses in it):

- the service navigation (:func:`service_navigation`): whether the reader is signed in, their kind
  of account and their person (their own home and start page), which of its pages they may open
  (asked of the permission rules on every request, so a setting such as "leads may create
  projects" counts at once), the page's section;
- the breadcrumbs (:func:`breadcrumbs`): their words and links, after the permission rules have
  taken away the links the reader may not follow (asked on every request);
- any part of base.html inside ``{% call keep("name", ...) %}``: the values given after its name.

So a reader is only ever shown a part made for the same key: the part they would have been shown
anyway. A kept part must never show anything else of the reader or the request (their name, a form's
token, a message), and stands outside the page's main content (glossary links are per page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from remun.web.permissions import may_use, open_crumbs

#: The sections, in order: (page, words, the ``active_section`` that marks it as the current one).
#: Organisation settings are linked from the administrator's start page: one more item would not fit one row.
SECTIONS = (
    ("projects.index", _l("Projects"), "projects"),
    ("people.index", _l("People"), "people"),
    ("parity.organisation", _l("Parity"), "parity"),
    ("budget.index", _l("Budgets"), "budgets"),
    ("parity.calculator", _l("Calculator"), "calculator"),
    ("exports.index", _l("Exports"), "exports"),
    ("imports.upload", _l("Import"), "import"),
    ("rates.index", _l("Rates"), "rates"),
    ("auth.users", _l("Accounts"), "accounts"),
    ("admin.audit", _l("Audit log"), "audit"),
)
#: Kept of each part: enough for every kind of reader in every language; beyond it (many people's own
#: homes, many pages' breadcrumbs) that part's kept copies are let go and made afresh.
KEPT = 512


def kept(name: str, key: tuple[Any, ...], make: Callable[[], str]) -> Markup:
    """The part ``name`` for ``key`` (with this request's language and root path), made by ``make`` when not kept."""
    parts = current_app.extensions.setdefault("remun.chrome", {}).setdefault(name, {})
    full_key = (str(get_locale()), request.script_root, *key)
    part = parts.get(full_key)
    if part is None:
        part = Markup(make())
        if len(parts) >= KEPT:
            parts.clear()
        parts[full_key] = part
    return part


def keep(name: str, *key: Any, caller: Callable[[], str]) -> Markup:
    """``{% call keep("footer", can("rates.index")) %}...{% endcall %}``: the block made once for each key."""
    return kept(name, key, caller)


def navigation_key(section: str) -> tuple[Any, ...]:
    """Everything the navigation shows depends on, beside the language and root path, for this request."""
    user = current_user._get_current_object()
    signed_in = bool(user.is_authenticated)
    person_id = user.person_id if signed_in else None
    own_home = bool(person_id) and may_use(user, "participant.home", {"person_id": person_id})
    return (section, signed_in, getattr(user, "role", None), person_id, own_home,
            tuple(may_use(user, endpoint, {}) for endpoint, _words, _name in SECTIONS), request.endpoint == "auth.sign_in")


def service_navigation(section: str = "") -> Markup:
    """The page's header with its service navigation (base.html), kept under :func:`navigation_key`."""
    key = navigation_key(section)

    def make() -> str:
        _section, signed_in, _role, person_id, own_home, allowed, sign_in_active = key
        sections = [(endpoint, words, name) for (endpoint, words, name), may in zip(SECTIONS, allowed) if may]
        return render_template("_service_navigation.html", sections=sections, section=section, signed_in=signed_in,
                               own_home=person_id if own_home else None, sign_in_active=sign_in_active)

    return kept("navigation", key, make)


def breadcrumbs(crumbs: list[dict]) -> Markup:
    """The breadcrumbs (only those the reader may follow keep their link), kept under their own words and links."""
    items = open_crumbs(crumbs)
    key = tuple(tuple((field, type(value).__name__, str(value)) for field, value in sorted(item.items())) for item in items)
    return kept("breadcrumbs", key, lambda: render_template("_breadcrumbs.html", items=items))


def register(app) -> None:
    app.jinja_env.globals.update(service_navigation=service_navigation, keep=keep, kept_breadcrumbs=breadcrumbs)
