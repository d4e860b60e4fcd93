"""The JSON API (issue 20): tokens only, the pages' permission rules, problem details, money strings,
cursor pagination, and writes through the same operations (and audit entries) as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.accounts import api_tokens
from remun.accounts.models import ApiToken, AuditEvent
from tests.helpers.api_world import bearer

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and "type" in body
    return body


def test_the_openapi_document_and_its_documentation(anonymous_client):
    spec = anonymous_client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/projects", "/api/v1/projects/{project_id}/claims/approve", "/api/v1/rates"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    money = spec["components"]["schemas"]["Claim"]["properties"]["amount"]
    assert money["type"] == "string" and money["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"
    errors = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(errors) == [PROBLEM]
    page = anonymous_client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script src=\"http" not in text
    assert "GET /api/v1/projects/{project_id}/claims" in text and "ReasonArgs" in text


def test_no_token_a_bad_token_and_a_cookie_are_all_refused(app, client_for, world):
    anonymous = app.test_client()
    _problem(anonymous.get("/api/v1/projects"), 401)
    body = _problem(anonymous.get("/api/v1/projects", headers=bearer("remun_made-up")), 401)
    assert "Bearer" in body["detail"]
    assert anonymous.get("/api/v1/projects").headers["WWW-Authenticate"].startswith("Bearer")
    signed_in = client_for(world["users"]["admin"])  # a browser's cookie is not a token
    _problem(signed_in.get("/api/v1/projects"), 401)
    _problem(signed_in.post(f"/api/v1/projects/{world['mine']['project_id']}/claims/approve", json={}), 401)


def test_a_revoked_or_expired_token_is_refused(app, world, db_session):
    client = app.test_client()
    admin = world["users"]["admin"]
    secret = world["tokens"]["admin"]
    assert client.get("/api/v1/projects", headers=bearer(secret)).status_code == 200
    token = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == api_tokens.hash_token(secret)))
    api_tokens.revoke(db_session, admin, token.id)
    db_session.commit()
    _problem(client.get("/api/v1/projects", headers=bearer(secret)), 401)
    old = api_tokens.create(db_session, admin, "Old", api_tokens.TokenScope.READ, 30,
                            at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30, seconds=1))
    db_session.commit()
    _problem(client.get("/api/v1/projects", headers=bearer(old.secret)), 401)


def test_a_read_token_is_refused_for_writes(app, world, db_session):
    client = app.test_client()
    project_id = world["mine"]["project_id"]
    body = _problem(client.post(f"/api/v1/projects/{project_id}/claims/approve", json={},
                                headers=bearer(world["readers"]["finance"])), 403)
    assert "only read" in body["detail"]
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "claims.approved")) is None
    assert client.get(f"/api/v1/projects/{project_id}/claims", headers=bearer(world["readers"]["finance"])).status_code == 200


def test_a_leads_token_sees_only_their_projects(app, world):
    client = app.test_client()
    lead = bearer(world["tokens"]["lead"])
    mine, other = world["mine"], world["other"]
    listed = client.get("/api/v1/projects", headers=lead).get_json()
    assert [project["id"] for project in listed["items"]] == [mine["project_id"]]
    people = client.get("/api/v1/people", headers=lead).get_json()
    assert [person["id"] for person in people["items"]] == [mine["person_id"]]
    for path in ("", "/roles", "/sessions", "/claims", "/parity", "/balances", "/equal-roles"):
        assert client.get(f"/api/v1/projects{'/' + str(mine['project_id'])}{path}", headers=lead).status_code == 200
        _problem(client.get(f"/api/v1/projects/{other['project_id']}{path}", headers=lead), 403)
    _problem(client.post(f"/api/v1/projects/{other['project_id']}/claims/approve", json={}, headers=lead), 403)
    _problem(client.get(f"/api/v1/people/{other['person_id']}", headers=lead), 403)
    _problem(client.get(f"/api/v1/projects/{mine['project_id']}/batches", headers=lead), 403)  # finance's


def test_a_participants_token_sees_only_their_own_record(app, world, db_session):
    client = app.test_client()
    own = bearer(world["tokens"]["participant"])
    mine, other = world["mine"], world["other"]
    assert client.get(f"/api/v1/people/{mine['person_id']}", headers=own).get_json()["name"] == "Morag Fraser"
    viewed = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "person.viewed"))
    assert (viewed.user_id, viewed.object_id) == (world["users"]["participant"].id, str(mine["person_id"]))
    assert client.get(f"/api/v1/people/{mine['person_id']}/balance", headers=own).status_code == 200
    assert client.get(f"/api/v1/people/{mine['person_id']}/claims", headers=own).status_code == 200
    me = client.get("/api/v1/me", headers=own).get_json()
    assert me["role"] == "participant" and me["person_id"] == mine["person_id"]
    for path in (f"/api/v1/people/{other['person_id']}", "/api/v1/people", "/api/v1/projects",
                 f"/api/v1/projects/{mine['project_id']}", "/api/v1/rates"):
        _problem(client.get(path, headers=own), 403)


def test_errors_are_problem_details(app, world):
    client = app.test_client()
    finance = bearer(world["tokens"]["finance"])
    _problem(client.get("/api/v1/projects/999999", headers=finance), 404)
    _problem(client.get("/api/v1/no-such-thing", headers=finance), 404)
    not_allowed = client.delete("/api/v1/projects", headers=finance)
    _problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["Allow"]
    body = _problem(client.get("/api/v1/projects?limit=0", headers=finance), 422)
    assert "limit" in str(body["errors"])
    body = _problem(client.post(f"/api/v1/projects/{world['mine']['project_id']}/claims/1/reject", json={},
                                headers=finance), 422)
    assert "reason" in str(body["errors"])
    _problem(client.get("/api/v1/projects?cursor=not-ours", headers=finance), 422)


def test_approving_through_the_api_is_audited_as_on_the_page(app, client_for, world, db_session):
    client = app.test_client()
    finance = world["users"]["finance"]
    mine, other = world["mine"], world["other"]
    response = client.post(f"/api/v1/projects/{mine['project_id']}/claims/approve", json={},
                           headers=bearer(world["tokens"]["finance"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    approved = response.get_json()["approved"]
    assert len(approved) == 6  # three sessions: time and expenses each
    client_for(finance).post(f"/projects/{other['project_id']}/claims", data={"all": "1"})
    entries = {event.object_id: event for event in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "claims.approved"))}
    by_api, by_page = entries[str(mine["project_id"])], entries[str(other["project_id"])]
    assert by_api.user_id == by_page.user_id == finance.id
    assert by_api.object_type == by_page.object_type == "project"
    assert sorted(__import__("json").loads(by_api.detail)["claims"]) == sorted(approved)
    assert set(__import__("json").loads(by_page.detail)) == set(__import__("json").loads(by_api.detail))
    # Once more: nothing left to approve, and the write's use of the token is in the log too.
    again = client.post(f"/api/v1/projects/{mine['project_id']}/claims/approve", json={},
                        headers=bearer(world["tokens"]["finance"]))
    assert again.get_json()["approved"] == []
    uses = db_session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "api_token.used",
                                                              AuditEvent.user_id == finance.id)).all()
    assert uses.count('{"write": true}') == 2


def test_reject_reverse_batch_and_file(app, world, db_session):
    from remun.project_records.enums import Reciprocity

    world["mine"]["person"].reciprocity = Reciprocity.BANK_TRANSFER  # paid by bank, so in a batch
    db_session.commit()
    client = app.test_client()
    headers = bearer(world["tokens"]["finance"])
    base = f"/api/v1/projects/{world['mine']['project_id']}"
    claims = client.get(f"{base}/claims?status=submitted", headers=headers).get_json()["items"]
    first, second, *rest = [claim["id"] for claim in claims]
    rejected = client.post(f"{base}/claims/{first}/reject", json={"reason": "Not at this session"}, headers=headers)
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    _problem(client.post(f"{base}/claims/{first}/reject", json={"reason": "Again"}, headers=headers), 409)
    client.post(f"{base}/claims/approve", json={"claim_ids": [second, *rest]}, headers=headers)
    reversed_ = client.post(f"{base}/claims/{second}/reverse", json={"reason": "Paid twice"}, headers=headers)
    assert reversed_.get_json()["status"] == "reversed"
    made = client.post(f"{base}/batches", headers=headers)
    assert made.status_code == 201, made.get_data(as_text=True)
    batch = made.get_json()
    approved = client.get(f"{base}/claims?status=approved", headers=headers).get_json()["items"]
    assert len(approved) == 4 and sorted(item["claim_id"] for item in batch["items"]) == [c["id"] for c in approved]
    assert batch["total"] == str(sum(Decimal(claim["amount"]) for claim in approved))  # to the penny
    nothing = _problem(client.post(f"{base}/batches", headers=headers), 409)
    assert nothing["type"].endswith("/nothing-to-pay")
    file = client.get(f"{base}/batches/{batch['id']}/file", headers=headers)
    assert file.status_code == 200 and file.content_type.startswith("text/csv")
    assert file.data == client.get(f"{base}/batches/{batch['id']}/file", headers=headers).data
    # Bills to import come from the same code as the batch page: missing codes named in a 409 problem first.
    missing = _problem(client.get(f"{base}/batches/{batch['id']}/file?format=xero", headers=headers), 409)
    assert missing["type"].endswith("/accounting-codes-missing") and "Account code for time" in missing["detail"]
    from remun.project_records.models import Project
    from tests.helpers.accounting import set_codes

    set_codes(db_session)
    db_session.get(Project, world["mine"]["project_id"]).cost_centre = "MH-01"
    db_session.commit()
    xero = client.get(f"{base}/batches/{batch['id']}/file?format=xero", headers=headers)
    assert xero.status_code == 200 and xero.content_type.startswith("text/csv"), xero.get_data(as_text=True)
    assert xero.data.startswith(b"*ContactName,EmailAddress,*InvoiceNumber")
    assert xero.data == client.get(f"{base}/batches/{batch['id']}/file?format=xero", headers=headers).data
    assert client.get(f"{base}/batches/{batch['id']}/file?format=ledger-csv", headers=headers).status_code == 200
    _problem(client.get(f"{base}/batches/{batch['id']}/file?format=xero&part=2", headers=headers), 404)
    paid = client.post(f"{base}/batches/{batch['id']}/paid", headers=headers)
    assert paid.get_json()["status"] == "paid"
    _problem(client.post(f"{base}/batches/{batch['id']}/paid", headers=headers), 409)


def test_money_is_a_string_with_two_decimals(app, world):
    client = app.test_client()
    headers = bearer(world["tokens"]["finance"])
    base = f"/api/v1/projects/{world['mine']['project_id']}"
    client.post(f"{base}/claims/approve", json={}, headers=headers)
    claims = client.get(f"{base}/claims", headers=headers).get_json()["items"]
    assert sorted({claim["amount"] for claim in claims}) == ["4.50", "90.00"]
    balances = client.get(f"{base}/balances", headers=headers).get_json()
    assert balances["project_cost"] == "283.50" and balances["people"][0]["owed"] == "283.50"
    roles = client.get(f"{base}/roles", headers=headers).get_json()["items"]
    assert roles[0]["terms"][0]["rate"] == "90.00" and roles[0]["terms"][0]["session_hours"] == "3"
    attendance = client.get(f"{base}/sessions/{world['mine']['meeting_ids'][0]}/attendance",
                            headers=headers).get_json()["items"]
    assert attendance[0]["expenses"][0]["amount"] == "4.50"


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_cursors_walk_every_item_exactly_once(app, world, limit):
    client = app.test_client()
    headers = bearer(world["tokens"]["finance"])
    address = f"/api/v1/projects/{world['mine']['project_id']}/claims?limit={limit}"
    seen, pages = [], 0
    while address:
        body = client.get(address, headers=headers).get_json()
        assert len(body["items"]) <= limit
        seen += [claim["id"] for claim in body["items"]]
        address, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) == 6
    assert seen == sorted(seen) and pages == -(-6 // limit)


def test_too_many_requests_are_refused_per_token(app, world):
    app.config["REMUN_API_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(world["tokens"]["admin"])).status_code == 200
    refused = client.get("/api/v1/me", headers=bearer(world["tokens"]["admin"]))
    _problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/me", headers=bearer(world["tokens"]["finance"])).status_code == 200  # another token


def test_a_busy_ledger_is_a_503_with_retry_after(app, world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from remun.ledger import operations

    def busy(*args, **kwargs):
        raise OperationalError("UPDATE ledger_head", {}, Exception("database is locked"))

    monkeypatch.setattr(operations, "approve_claims", busy)
    response = app.test_client().post(f"/api/v1/projects/{world['mine']['project_id']}/claims/approve", json={},
                                      headers=bearer(world["tokens"]["finance"]))
    _problem(response, 503)
    assert response.headers["Retry-After"] == "5"


def test_the_parity_read_shares_the_pages_kept_reports(app, world, client_for):
    """The API's parity report is the page's kept report: asked for again with nothing changed, it is not
    made again (a rate book made afresh for each call once missed the cache every time)."""
    client = app.test_client()
    admin = bearer(world["tokens"]["admin"])
    path = f"/api/v1/projects/{world['mine']['project_id']}/parity"
    first = client.get(path, headers=admin)
    assert first.status_code == 200
    kept = app.extensions["remun.reports"]
    made = kept.misses
    assert client.get(path, headers=admin).get_json() == first.get_json()
    page = client_for(world["users"]["admin"]).get(f"/projects/{world['mine']['project_id']}/parity")
    assert page.status_code == 200
    assert kept.misses == made and kept.hits >= 2
