"""Figures in and out (issue 16): pages agree with the files and the ledger, to the penny."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from sqlalchemy import select

from remun.enums import Reciprocity
from remun.ledger import claims as ledger_claims
from remun.ledger.models import PaymentBatch
from remun.models import Person
from remun.reciprocity import choices
from remun.reciprocity.choices import Part
from tests.test_ledger import build_project


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def batch_rows(html: str) -> list[list[str]]:
    """The batch page's payee rows, each cell's text."""
    body = html[html.index("<tbody"):html.index("</tbody>")]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_a_batch_page_pays_exactly_what_its_file_pays_for_split_payees(client, db_session, rate_book):
    project = build_project(db_session, {"Ann": Reciprocity.NOT_CHOSEN, "Cal": Reciprocity.NOT_CHOSEN})
    ann = db_session.scalar(select(Person).where(Person.name == "Ann"))
    cal = db_session.scalar(select(Person).where(Person.name == "Cal"))
    # Ann: half by cheque, half vouchers; Cal: paid to someone else on his behalf.
    choices.record_choice(db_session, ann, [Part(Reciprocity.CHEQUE, Decimal("50"), "A cheque"),
                                            Part(Reciprocity.VOUCHERS, Decimal("50"), "Tesco")], user_id=None)
    choices.record_choice(db_session, cal, [Part(Reciprocity.THIRD_PARTY, Decimal("100"), "His sister")], user_id=None)
    ledger_claims.sync_claims(db_session, rate_book, project_id=project.id)
    db_session.commit()
    client.post(f"/projects/{project.id}/claims", data={"all": "1"})
    client.post(f"/projects/{project.id}/batches", data={"action": "create"})
    batch = db_session.scalar(select(PaymentBatch))

    html = client.get(f"/projects/{project.id}/batches/{batch.id}").get_data(as_text=True)
    page_rows = batch_rows(html)
    data = client.get(f"/projects/{project.id}/batches/{batch.id}/file.csv").get_data()
    file_rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]

    # One page row for each file row: the same payee, way of paying and amount.
    assert len(page_rows) == len(file_rows) == 3
    page = [(row[0], row[2], Decimal(row[4].replace("£", "").replace(",", ""))) for row in page_rows]
    in_file = [(row[1], row[6], Decimal(row[2])) for row in file_rows]
    assert [(name, amount) for name, _, amount in page] == [(name, amount) for name, _, amount in in_file]
    # Ann's cheque is half her £80.00 of time (not the whole claim) and her £6.40 fare.
    assert ("Ann", "Cheque: A cheque", Decimal("46.40")) in page
    assert ("Cal", "Bank transfer", Decimal("6.40")) in page
    assert ("Cal", "To someone else: His sister", Decimal("80.00")) in page
    # The total row equals the headline and the file's sum.
    total = " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<tfoot"):html.index("</tfoot>")]).split())
    assert total == "Total £132.80"
    assert "£132.80 to 2 payees" in text_of(client.get(f"/projects/{project.id}/batches/{batch.id}"))
    assert sum(amount for _, _, amount in in_file) == batch.total == Decimal("132.80")
    assert "Paid by" in html
