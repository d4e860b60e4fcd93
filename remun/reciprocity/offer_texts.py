"""The words of the default offers (offers.toml), marked so they are translated.

offers.toml is a settings file an organisation may edit, so its words are not in the
code. These are the words it ships with: when a page shows one of them, the reader
sees it in their language (remun.web.languages.offer_text). Words an organisation
writes itself are shown as written. tests/web/test_languages.py checks this list still
matches offers.toml.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802  (Babel's marker: translate later)
    return message


DEFAULT_OFFER_TEXTS = (
    N_("A prepaid payment card"),
    N_("We put the money onto a card that works in shops and cash machines. "
       "We post it to you or give it to you at a session."),
    N_("A cheque"),
    N_("We post a cheque to you. You can pay it in at a bank, building society or Post Office."),
    N_("A course, a conference place or a learning budget of the same value, agreed with your project lead."),
)
