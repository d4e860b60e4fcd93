"""The marker for text that is translated later, where it is shown (pages, workbooks, the audit log).

Plain modules know nothing of Flask or of who is reading, so they mark their
messages with ``N_`` for `make translations` to extract, and the web layer or
the export translates them for the reader's language with ``gettext``.
"""


def N_(message: str) -> str:  # noqa: N802 — Babel's usual name for "mark now, translate later"
    """Mark a message for translation without translating it now."""
    return message
