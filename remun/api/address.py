"""Where the API lives, for the modules that must tell its requests from the pages' without importing it
(``remun.web.languages`` chooses an API request's language its own way)."""

from __future__ import annotations

from flask import request

PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Is this request for the API (its documents included)?"""
    path = request.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_api_call() -> bool:
    """An API request answered for a program (not the documents for people, ``remun.api.docs``: a page like
    any other, in the language the switcher chose)."""
    return is_api_request() and request.blueprint != "api_docs"
