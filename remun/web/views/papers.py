"""Papers a participant needs (issue 18): a letter for a benefits adviser and a year-end statement."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("papers", __name__)
