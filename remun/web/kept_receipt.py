"""A receipt chosen before a form error is kept, so nobody has to find the photo again.

Browsers forget a chosen file when a page with errors comes back. So a receipt
that passed its own checks is kept in the instance folder under a random name
until the form is sent; the form carries only the random token, and the
signed-in session remembers which person's token it is, so nobody else can
use it. Kept files older than a day are removed the next time one is kept.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

from remun.reciprocity.receipts import SIGNATURES, folder

SESSION_KEY = "kept_receipts"
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class KeptReceipt:
    token: str
    data: bytes
    content_type: str
    name: str | None


def _kept_folder() -> Path:
    return folder(current_app.instance_path) / "kept"


def _tidy(target: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in target.glob("*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep(data: bytes, content_type: str, name: str | None, person_id: int) -> KeptReceipt:
    """Keep a checked receipt until the form is sent; the token goes in the form."""
    token = secrets.token_hex(16)
    target = _kept_folder()
    target.mkdir(parents=True, exist_ok=True)
    _tidy(target)
    (target / token).write_bytes(data)
    kept = dict(session.get(SESSION_KEY) or {})
    kept[token] = json.dumps({"person": person_id, "type": content_type, "name": (name or "")[:200]})
    session[SESSION_KEY] = kept
    return KeptReceipt(token, data, content_type, name)


def find(token: str | None, person_id: int) -> KeptReceipt | None:
    """The receipt kept under ``token`` for this person, or None (unknown, someone else's, or gone)."""
    if not token or not token.isalnum():
        return None
    facts = (session.get(SESSION_KEY) or {}).get(token)
    if facts is None:
        return None
    facts = json.loads(facts)
    path = _kept_folder() / token
    if facts["person"] != person_id or facts["type"] not in SIGNATURES or not path.exists():
        return None
    return KeptReceipt(token, path.read_bytes(), facts["type"], facts["name"] or None)


def forget(token: str | None) -> None:
    if not token or not token.isalnum():
        return
    kept = dict(session.get(SESSION_KEY) or {})
    kept.pop(token, None)
    session[SESSION_KEY] = kept
    (_kept_folder() / token).unlink(missing_ok=True)
