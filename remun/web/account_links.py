"""One-time links (invitations and password resets): their address, showing one to the person who made it,
and emailing it to the account when a mail server is configured (``REMUN_SMTP_*``, see ``remun.accounts.mail``).
No mail server is assumed: links are shown to the administrator or project lead who made them, to hand over."""

from __future__ import annotations

import os
from contextlib import nullcontext

from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from remun.accounts import mail
from remun.accounts import operations as account_operations
from remun.accounts.models import TokenPurpose, User
from remun.web.extensions import db
from remun.web.pages import commit

SMTP_SETTINGS = ("REMUN_SMTP_HOST", "REMUN_SMTP_PORT", "REMUN_SMTP_SECURITY", "REMUN_SMTP_USERNAME",
                 "REMUN_SMTP_PASSWORD", "REMUN_SMTP_FROM")


def _link_url(endpoint: str, token: str) -> str:
    base = current_app.config.get("REMUN_BASE_URL")
    path = url_for(endpoint, token=token)
    return base.rstrip("/") + path if base else url_for(endpoint, token=token, _external=True)


LINK_ENDPOINTS = {TokenPurpose.INVITATION: "auth.accept_invitation", TokenPurpose.PASSWORD_RESET: "auth.reset_password"}


def show_link(user: User, link, back_url: str):
    """The page that shows a link just made (recorded when it is a way into an account in use), and emails it."""
    told = account_operations.shown_link(db.session, current_user.id, user, link.purpose)
    commit()  # this page's unit of work: the link, and the record that it was shown
    url = _link_url(LINK_ENDPOINTS[link.purpose], link.token)
    emailed = email_link(user, link, url, shown_to=current_user.email if told else None)
    return render_template("auth/link.html", title=_("Give them this link"), account=user, link=link,
                           url=url, back_url=back_url, emailed=emailed, told=told)


def smtp_settings(app: Flask | None = None) -> mail.SmtpSettings | None:
    return (app or current_app).extensions.get("remun.smtp")


def link_email(user: User, link, url: str, shown_to: str | None = None) -> tuple[str, str]:
    """The subject and body of the email carrying a personal link, in the person's language."""
    from remun.web.formatting import long_date
    from remun.web.languages import LOCALES, language_code

    language = language_code(getattr(user, "preferred_language", None)) or (
        language_code(user.person.preferred_language) if user.person is not None else None)
    with force_locale(LOCALES[language]) if language else nullcontext():
        if link.purpose is TokenPurpose.INVITATION:
            subject = _("Your invitation to sign in to Remun")
            opening = _("You have been invited to sign in to Remun. Open this personal link to choose your password:")
            lasts = _("It works once, until %(when)s.", when=long_date(link.expires_at))
        else:
            subject = _("Choose a new password for Remun")
            opening = _("Open this personal link to choose a new password for Remun:")
            lasts = _("It works once, for 24 hours.")
        closing = _("Do not share this link: anyone with it can sign in as you. "
                    "If you were not expecting this email, you can ignore it.")
        if shown_to:
            closing = _("An administrator, %(who)s, made this link and saw it on screen. This has been recorded. "
                        "If you did not ask for a new password, tell your project or another administrator, "
                        "and do not use the link.", who=shown_to)
        return subject, f"{opening}\n\n{url}\n\n{lasts}\n\n{closing}\n"


def email_link(user: User, link, url: str, app: Flask | None = None, shown_to: str | None = None) -> bool | None:
    """Email the link to the account when a mail server is configured.

    None when there is no mail server, True when sent, False when sending failed
    (the reason goes to the log; the person who made the link hands it over).
    """
    settings = smtp_settings(app)
    if settings is None or not user.active:
        return None
    subject, body = link_email(user, link, url, shown_to)
    try:
        mail.send(settings, user.email, subject, body)
    except mail.MailProblem as problem:
        (app or current_app).logger.error("Could not email a %s link to account %s: %s",
                                          link.purpose.value, user.id, problem)
        return False
    return True



def init_app(app: Flask) -> None:
    for name in SMTP_SETTINGS:
        if os.environ.get(name):
            app.config.setdefault(name, os.environ[name])
    # Bad mail settings stop start-up, naming the setting.
    app.extensions["remun.smtp"] = mail.SmtpSettings.from_config(app.config)
