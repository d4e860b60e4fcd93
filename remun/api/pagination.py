"""Cursor pagination: each page gives the address of the next, with an opaque cursor.

The cursor is the last item's place (its id, for database rows), base64url-encoded;
callers follow ``next`` and never build cursors. Items come in a fixed order (by id),
so walking the pages sees every item once, even while new ones are added.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import request, url_for
from sqlalchemy import Select

from remun.api.auth import refuse
from remun.translation import N_
from remun.web.extensions import db


def encode(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = value["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        refuse(422, N_("The cursor is not one this API gave. Follow the next link of the page before."), "cursor")
    return after


def _next_url(after: int, limit: int) -> str:
    query = {key: value for key, value in request.args.items() if key not in ("cursor", "limit")}
    return url_for(request.endpoint, **(request.view_args or {}), **query, limit=limit, cursor=encode(after))


def page(query: Select, id_column: Any, args: dict) -> dict:
    """One page of a query's rows, ordered by ``id_column``."""
    limit = args["limit"]
    rows = list(db.session.scalars(query.where(id_column > decode(args.get("cursor")))
                                   .order_by(id_column).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next": _next_url(rows[-1].id, limit) if more else None}


def page_of_list(items: Sequence[Any], args: dict, transform: Callable[[Any], Any] = lambda item: item) -> dict:
    """One page of a list that is not in the database (the rate book), by place in the list."""
    limit, start = args["limit"], decode(args.get("cursor"))
    chosen = items[start:start + limit]
    more = start + limit < len(items)
    return {"items": [transform(item) for item in chosen], "next": _next_url(start + limit, limit) if more else None}
