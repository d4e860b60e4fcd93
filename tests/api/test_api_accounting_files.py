"""Bills to import through the API (GET .../batches/{id}/file?format=xero|ledger-csv): the same choice of file as
the batch page (remun.exports.operations.take_accounting_file), ?part=N included. Both backends."""

from __future__ import annotations

import io
import zipfile

from flask_babel import force_locale, ngettext

from remun.accounts import api_tokens
from remun.accounts.models import TokenScope
from remun.exports import accounting as accounting_module
from tests.helpers.accounting import demo_batch, load_demo_project, set_codes
from tests.helpers.api_world import bearer

PROBLEM = "application/problem+json"


def _demo(db_session, rate_book, make_user):
    """The demo's batch with codes set, its API address and a finance token's headers."""
    project = load_demo_project(db_session, rate_book)
    set_codes(db_session)
    token = api_tokens.create(db_session, make_user("finance"), "Finance system", TokenScope.READ, 30).secret
    db_session.commit()
    batch = demo_batch(db_session, project)
    return batch, f"/api/v1/projects/{project.id}/batches/{batch.id}/file", bearer(token)


def test_a_part_the_file_does_not_have_is_a_404_problem(app, db_session, rate_book, make_user):
    batch, address, headers = _demo(db_session, rate_book, make_user)
    client = app.test_client()
    whole = client.get(f"{address}?format=ledger-csv", headers=headers)
    assert whole.status_code == 200 and whole.content_type.startswith("text/csv"), whole.get_data(as_text=True)
    assert client.get(f"{address}?format=ledger-csv&part=1", headers=headers).data == whole.data
    missing = client.get(f"{address}?format=ledger-csv&part=2", headers=headers)
    assert missing.status_code == 404 and missing.content_type == PROBLEM
    assert missing.get_json()["type"].endswith("/no-such-part") and "1" in missing.get_json()["detail"]
    assert client.get(f"{address}?format=xero&part=0", headers=headers).status_code == 422  # not a part number
    polish = client.get(f"{address}?format=ledger-csv&part=2", headers={**headers, "Accept-Language": "pl"})
    assert polish.get_json()["type"] == missing.get_json()["type"] and polish.headers["Content-Language"] == "pl"
    with app.test_request_context("/"), force_locale("pl_PL"):
        assert polish.get_json()["detail"] == ngettext("This file has %(num)d part.", "This file has %(num)d parts.", 1)
    assert polish.get_json()["detail"] != missing.get_json()["detail"]


def test_a_split_file_comes_as_a_zip_or_one_numbered_file_as_on_the_page(app, client, db_session, rate_book,
                                                                          make_user, monkeypatch):
    batch, address, headers = _demo(db_session, rate_book, make_user)
    payees = len({item.person_id for item in batch.items})
    monkeypatch.setattr(accounting_module, "XERO_MOST_BILLS", 2)  # the demo's payees, as if there were thousands
    parts = -(-payees // 2)
    assert parts > 1
    api = app.test_client()
    response = api.get(f"{address}?format=xero", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    page = client.get(f"/projects/{batch.project_id}/batches/{batch.id}/accounting/xero")  # as on the page
    assert page.mimetype == "application/zip" and page.get_data() == response.data
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert names == [f"remun-batch-{batch.id}-xero-{n}.csv" for n in range(1, parts + 1)]
    last = api.get(f"{address}?format=xero&part={parts}", headers=headers)
    assert last.mimetype == "text/csv" and last.data == archive.read(names[-1])
    assert last.headers["Content-Disposition"] == f'attachment; filename="{names[-1]}"'
    beyond = api.get(f"{address}?format=xero&part={parts + 1}", headers=headers)
    assert beyond.status_code == 404 and f"{parts}" in beyond.get_json()["detail"]
