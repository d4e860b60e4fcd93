"""A settled project to export, an export through its job, LibreOffice's recalculation."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from remun.ledger import claims, settlement
from remun.ledger.models import Claim, ClaimKind
from remun.project_records.enums import Reciprocity
from remun.project_records.models import Expense, Person
from tests.conftest import IN_CI
from tests.helpers.ledger import approve_all, build_project


INJECTION = '=HYPERLINK("http://x","click")'


def settled_project(session, rate_book, *, pay: bool = True):
    """Seven people, each settled a different way; one claim reversed; awkward text in names and notes.

    Everyone attended one session: £80.00 for time (3 h + 1 h prep at £20) and £6.40 bus fare.
    """
    project = build_project(session, {
        "Ann": Reciprocity.BANK_TRANSFER, INJECTION: Reciprocity.VOUCHERS, "Cat": Reciprocity.NO_PAYMENT,
        "Dee": Reciprocity.NOT_CHOSEN, "Eve": Reciprocity.TRAINING, "Fay": Reciprocity.DONATION,
        "Gus": Reciprocity.NOT_CHOSEN,
    })
    people = {person.name: person for person in session.scalars(select(Person))}
    people["Ann"].payee_reference = "-12345"
    people["Eve"].payee_reference = "+44 7700 900123"
    note = session.scalars(select(Expense).order_by(Expense.id)).first()
    note.note = "@SUM(1,2) taxi, not bus"
    session.flush()
    approve_all(session, project, rate_book)
    batch = settlement.create_batch(session, project.id, user_id=None)
    if pay:
        settlement.mark_paid(session, batch.id, user_id=None)
        settlement.settle_in_kind(session, project.id, user_id=None)
        dee_time = session.scalar(select(Claim.id).where(Claim.person_id == people["Dee"].id,
                                                         Claim.kind == ClaimKind.TIME))
        claims.reverse_claim(session, dee_time, "Did not attend after all", user_id=None)
    session.flush()
    return project, batch


RECALCULATE_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if IN_CI:
            pytest.fail("CI needs LibreOffice (soffice) for the round-trip test: make libreoffice")
        pytest.skip("LibreOffice (soffice) is not installed: `make libreoffice` (or apt-get install "
                    "libreoffice-calc-nogui) to run the round trip")
    return found


def libreoffice_csv(path: Path, workdir: Path, names) -> dict[str, list[list[str]]]:
    """Open the workbook in LibreOffice, recalculating every formula, and save each sheet as CSV
    (values as stored, not as shown). Also used by the budget workbook's round trip."""
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ALWAYS, encoding="utf-8")
    out = workdir / "lo-out"
    out.mkdir(exist_ok=True)
    # 44 = comma, 34 = double quote, 76 = UTF-8; the last option (-1) writes every sheet to its own file.
    options = "Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    completed = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to",
         f"csv:{options}", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    sheets = {}
    for name in names:
        csv_path = out / f"{path.stem}-{name}.csv"
        assert csv_path.exists(), (name, completed.stdout, completed.stderr)
        sheets[name] = list(csv.reader(io.StringIO(csv_path.read_text("utf-8"))))
    return sheets


def workbook_through_its_job(client, address: str):
    """Ask for the workbook; it is made as a background job (at once in tests), then downloaded from its page."""
    asked = client.get(address)
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"], asked.status_code
    page = client.get(asked.headers["Location"])
    assert page.status_code == 200
    link = re.search(r'href="(/jobs/\d+/download)"', page.get_data(as_text=True)).group(1)
    response = client.get(link)
    response.get_data()  # read it all, so the file can be closed
    response.close()
    return response
