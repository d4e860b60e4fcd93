"""What kinds of job there are: each kind's handler, registered by name (remun/jobs/kinds.py).

Its own module so the kinds and the runner that calls them both import it, and not each other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

Progress = Callable[[int, int], None]
#: handler(session, params, target path, progress) -> the file's name for the person
Handler = Callable[[Session, dict[str, Any], Path, Progress], str]
HANDLERS: dict[str, tuple[Handler, str]] = {}


class JobRefused(Exception):
    """The work cannot be done as asked; ``str(error)`` is a sentence for the person, already translated."""


def handler(kind: str, suffix: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = (function, suffix)
        return function

    return register
