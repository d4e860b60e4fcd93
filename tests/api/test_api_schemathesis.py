"""Schemathesis against the API (issue 20): the app answers through WSGI, as when served, with a token
for each kind of account.

For every operation in the OpenAPI document, Schemathesis makes requests from the
document's own schemas (random ids, and the ids of the world's records, so both
the refusals and the real answers are tried), and checks: no 5xx, each response's
status, content type, headers and body match the document; and nothing outside
what the account may see comes back (a lead's token: no other project's records,
ids or names; a participant's: nothing but their own person and claims).
Kept small (a few examples an operation, no deadline) to finish in minutes.
"""

from __future__ import annotations

import json
import re

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from tests.helpers.api_world import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = 3  # for each operation, three times over: random ids, and each project's own
PERSONAS = ["admin", "lead", "finance", "participant"]


def _values(body, key: str) -> set:
    """Every value of ``key`` anywhere in a JSON body."""
    found = set()
    if isinstance(body, dict):
        for name, value in body.items():
            if name == key and not isinstance(value, (dict, list)):
                found.add(value)
            found |= _values(value, key)
    elif isinstance(body, list):
        for value in body:
            found |= _values(value, key)
    return found


def _leaks(persona: str, world: dict, path: str, response) -> list[str]:
    """What this response shows that the persona may not see."""
    if persona in ("admin", "finance") or response.status_code >= 300:
        return []
    text = response.text
    mine, other = world["mine"], world["other"]
    problems = [name for name in (other["project"].name, other["person"].name) if name in text]
    if "json" not in response.headers.get("Content-Type", [""])[0]:
        return problems
    body = json.loads(text) if text else None
    projects, people = _values(body, "project_id"), _values(body, "person_id")
    if path == "/api/v1/projects":
        projects |= {item["id"] for item in body["items"]}
    if path == "/api/v1/people":
        people |= {item["id"] for item in body["items"]}
    if projects - {mine["project_id"]}:
        problems.append(f"projects {sorted(projects - {mine['project_id']})}")
    if people - {mine["person_id"]}:
        problems.append(f"people {sorted(people - {mine['person_id']})}")
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_keeps_to_its_document_and_to_what_the_account_may_see(app, world, persona):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(world["tokens"][persona])
    known = [{"project_id": place["project_id"], "person_id": place["person_id"],
              "session_id": place["meeting_ids"][0], "role_id": place["role_id"]}
             for place in (world["mine"], world["other"])]  # the lead's and participant's own, and another's
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    calls = 0
    for operation in operations:
        names = set(re.findall(r"{(\w+)}", operation.path))
        for path_parameters in [{}] + [{name: value for name, value in ids.items() if name in names} for ids in known]:
            strategy = operation.as_strategy(headers=headers, path_parameters=path_parameters or None)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
            @hypothesis.given(case=strategy)
            def run(case):
                nonlocal calls
                calls += 1
                response = case.call(headers=headers)
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as error:  # every failure named, not only the first
                    failures.append(f"{operation.label}: {str(error)[:500]}")
                for leak in _leaks(persona, world, operation.path, response):
                    failures.append(f"{operation.label} ({case.formatted_path}): shows {leak} to {persona}")

            run()
    print(f"Schemathesis, {persona}: {len(operations)} operations, {calls} requests, {len(failures)} failures")
    assert len(operations) >= 20 and calls >= len(operations) * 3
    assert failures == [], "\n".join(sorted(set(failures)))
