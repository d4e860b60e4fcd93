"""The OpenAPI document (/api/v1/openapi.json) and its human documentation (/api/v1/docs).

The documentation is drawn on the server from the same document, in Remun's
layout: no script, no CDN, so it works under the app's Content-Security-Policy
and with no internet. Both are open to anyone: they describe the API, not data.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import gettext as _

from remun.api.problems import PROBLEM_JSON
from remun.api.writes import FILE_TYPES

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document: flask-smorest's, with errors as problem details."""
    spec = copy.deepcopy(current_app.extensions["remun.api"].spec.to_dict())
    for response in spec.get("components", {}).get("responses", {}).values():
        content = response.get("content", {})
        if "application/json" in content:  # every shared response is an error
            content[PROBLEM_JSON] = content.pop("application/json")
    for path, operations in spec.get("paths", {}).items():
        if path.endswith("/file"):
            ok = operations["get"]["responses"]["200"]["content"]
            for mimetype in FILE_TYPES.values():
                ok.setdefault(mimetype, {"schema": {"type": "string", "format": "binary"}})
    return spec


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # a description only: other tools may read it
    return response


def _resolve(spec: dict, schema: dict | None) -> dict:
    while schema and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        kind = schema["$ref"].split("/")[2]
        schema = spec["components"][kind].get(name)
    return schema or {}


def _type_of(spec: dict, schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {_type_of(spec, schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: one of " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def _fields(spec: dict, schema: dict) -> list[dict]:
    schema = _resolve(spec, schema)
    required = set(schema.get("required", []))
    return [{"name": name, "type": _type_of(spec, prop), "required": name in required,
             "description": prop.get("description", ""), "pattern": prop.get("pattern")}
            for name, prop in schema.get("properties", {}).items()]


def operations(spec: dict) -> list[dict]:
    """Each path and method, with what it takes and gives, for the page."""
    found = []
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = [_resolve(spec, p) for p in shared + operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for status, response in operation.get("responses", {}).items():
                response = _resolve(spec, response)
                content = response.get("content", {})
                kind, media = next(iter(content.items()), (None, {}))
                schema = media.get("schema") if media else None
                responses.append({"status": status, "description": response.get("description", ""),
                                  "content_type": kind, "schema": _type_of(spec, schema) if schema else None})
            found.append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""), "tag": (operation.get("tags") or [""])[0],
                "parameters": [{"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
                                "type": _type_of(spec, p.get("schema", {})),
                                "description": p.get("description", "")} for p in parameters],
                "body": _fields(spec, body) if body else None,
                "responses": responses,
            })
    return found


@bp.get("/docs")
def docs():
    spec = document()
    schemas = {name: _fields(spec, schema) for name, schema in sorted(spec["components"].get("schemas", {}).items())}
    return render_template("api/docs.html", title=_("Remun API"), spec=spec, operations=operations(spec),
                           schemas=schemas, active_section="account")
