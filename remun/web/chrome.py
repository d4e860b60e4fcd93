"""The service navigation at the top of every page, made once for each kind of reader and kept (issue 19).

Every page showed the same few links, worked out afresh each time (and twice: GOV.UK's page template
renders its header once to see whether it is empty, then again to show it), which cost about a third
of a kept parity page's time. What the navigation shows depends only on what makes its key here: the
reader's language, whether they are signed in, their kind of account and their person (their own
home and start page), which of its pages they may open (asked of the permission rules on every
request, so a setting such as "leads may create projects" counts at once), the page's section and
the site's root path. So a reader is only ever shown navigation made for the same key, which is
the navigation they would have been shown anyway; nothing in it is secret or changes otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from remun.web.permissions import can

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
#: Enough kept navigations for every kind of reader in every language; beyond it (many people's
#: own homes) they are made afresh.
KEPT = 512


def navigation_key(section: str) -> tuple[Any, ...]:
    """Everything the navigation shows depends on, for this request."""
    signed_in = bool(current_user.is_authenticated)
    person_id = current_user.person_id if signed_in else None
    own_home = bool(person_id) and can("participant.home", person_id=person_id)
    return (str(get_locale()), request.script_root, section, signed_in, getattr(current_user, "role", None),
            person_id, own_home, tuple(can(endpoint) for endpoint, _words, _name in SECTIONS),
            request.endpoint == "auth.sign_in")


def service_navigation(section: str = "") -> Markup:
    """The page's header with its service navigation (base.html), kept under :func:`navigation_key`."""
    key = navigation_key(section)
    kept = current_app.extensions.setdefault("remun.navigation", {})
    header = kept.get(key)
    if header is None:
        _language, _root, _section, signed_in, _role, person_id, own_home, allowed, sign_in_active = key
        sections = [(endpoint, words, name) for (endpoint, words, name), may in zip(SECTIONS, allowed) if may]
        header = Markup(render_template("_service_navigation.html", sections=sections, section=section,
                                        signed_in=signed_in, own_home=person_id if own_home else None,
                                        sign_in_active=sign_in_active))
        if len(kept) >= KEPT:
            kept.clear()
        kept[key] = header
    return header


def register(app) -> None:
    app.jinja_env.globals["service_navigation"] = service_navigation
