"""The parity report read from the database: worked examples, the page, the JSON and the CLI agree."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleGroup, RoleTerms
from remun.parity.report import project_parity
from remun.parity.report_json import report_as_json


def _role(project, group, title, kind, basis, rate=None, card=None, session_hours="3", prep="2", prep_paid=False,
          travel="1", travel_paid=False, since=dt.date(2025, 4, 1)):
    role = Role(project=project, group=group, title=title, kind=kind)
    role.terms.append(RoleTerms(effective_from=since, basis=basis, rate=None if rate is None else Decimal(rate),
                                rate_card_ref=card, session_hours=Decimal(session_hours), prep_hours=Decimal(prep),
                                prep_paid=prep_paid, travel_hours=Decimal(travel), travel_paid=travel_paid))
    return role


@pytest.fixture
def worked_project(session):
    """The headline example: £108 a session over 6 hours given (£18.00) against a £30.00 salary."""
    project = Project(name="Worked example", start_date=dt.date(2025, 4, 1), end_date=dt.date(2026, 3, 31))
    co_chair = RoleGroup(project=project, name="Co-chair")
    panel = RoleGroup(project=project, name="Carer panel")
    lived = _role(project, co_chair, "Lived experience co-chair", RoleKind.LIVED_EXPERIENCE, PayBasis.SESSION, "108")
    clinical = _role(project, co_chair, "Clinical co-chair", RoleKind.CLINICAL, PayBasis.SALARY, "30")
    _role(project, panel, "Carer panel member", RoleKind.CARER, PayBasis.HOUR, "12.50", session_hours="2", prep="0",
          travel="0")
    _role(project, None, "Note taker", RoleKind.OTHER, PayBasis.HOUR, "15")
    ann, bob = Person(name="Ann Lived"), Person(name="Bob Clinical")
    session.add_all([project, ann, bob])
    session.flush()
    session.add_all([Appointment(person=ann, role=lived, start_date=dt.date(2025, 4, 1)),
                     Appointment(person=bob, role=clinical, start_date=dt.date(2025, 4, 1))])
    # The lived-experience fee rises from £108 to £180 on 1 October 2025.
    lived.terms.append(RoleTerms(effective_from=dt.date(2025, 10, 1), basis=PayBasis.SESSION, rate=Decimal("180"),
                                 session_hours=Decimal("3"), prep_hours=Decimal("2"), travel_hours=Decimal("1")))
    for day in (dt.date(2025, 5, 1), dt.date(2025, 11, 1)):
        meeting = Meeting(project=project, date=day, title="Steering", hours=Decimal("3"))
        session.add(meeting)
        session.add(Attendance(meeting=meeting, person=ann, role=lived, hours=Decimal("3"), prep_hours=Decimal("2"),
                               travel_hours=Decimal("1")))
        session.add(Attendance(meeting=meeting, person=bob, role=clinical, hours=Decimal("3"), prep_hours=Decimal("2"),
                               travel_hours=Decimal("1")))
    session.flush()
    return project


def test_the_headline_sentence_figures(session, rate_book, worked_project):
    report = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 6, 1)))
    co_chair = next(group for group in report["groups"] if group["group"] == "Co-chair")
    assert co_chair["comparator"] == {"role": "Clinical co-chair", "effective_hourly_rate": "30.00"}
    lived = next(role for role in co_chair["roles"] if role["role"] == "Lived experience co-chair")
    assert lived == {
        "role": "Lived experience co-chair", "kind": "lived_experience", "basis": "session",
        "hours_given": "6.00", "pay_per_session": "108.00", "effective_hourly_rate": "18.00",
        "gap_percent": "40.0", "parity": False, "below_living_wage": False, "is_comparator": False,
        "closing_the_gap": {
            # £30 × 6 hours given = £180 a session: £72 more, over the 2 sessions attended.
            "parity_rate": "180.00", "extra_per_session": "72.00", "sessions": 2, "extra_for_sessions": "144.00",
            "paid_time_options": [],
        },
    }


def test_a_rate_change_applies_from_its_date(session, rate_book, worked_project):
    before = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 9, 30)))
    after = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 10, 1)))

    def lived(report):
        group = next(group for group in report["groups"] if group["group"] == "Co-chair")
        return next(role for role in group["roles"] if role["kind"] == "lived_experience")

    assert (lived(before)["effective_hourly_rate"], lived(before)["parity"]) == ("18.00", False)
    assert (lived(after)["effective_hourly_rate"], lived(after)["gap_percent"], lived(after)["parity"]) == ("30.00", "0.0", True)
    # Paid parity reads the ledger: nothing is paid until claims are approved and paid.
    assert not [person for person in after["paid"] if person["name"] == "Ann Lived"]
    from remun.project_records.enums import Reciprocity
    from remun.ledger import claims, settlement

    ann = session.scalars(select(Person).where(Person.name == "Ann Lived")).one()
    ann.reciprocity = Reciprocity.BANK_TRANSFER
    claims.sync_claims(session, rate_book, project_id=worked_project.id)
    claims.approve(session, [claim.id for claim in claims.claims_waiting(session, worked_project.id)], user_id=None)
    settlement.mark_paid(session, settlement.create_batch(session, worked_project.id, user_id=None).id, user_id=None)
    after = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 10, 1)))
    # Each session was paid on the terms of its own date: (£108 + £180) ÷ 12 hours = £24.00.
    ann = next(person for person in after["paid"] if person["name"] == "Ann Lived")
    assert (ann["received"], ann["hours_given"], ann["hourly_rate"], ann["gap_percent"]) == ("288.00", "12.00", "24.00", "20.0")


def test_living_wage_flag_on_each_side_of_a_rate_change(session, rate_book, worked_project):
    # £12.50 an hour: above the Real Living Wage of £12.00 (Oct 2023) and below £12.60 (from 23 Oct 2024).
    def carer(day):
        report = report_as_json(project_parity(session, worked_project.id, rate_book, today=day))
        group = next(group for group in report["groups"] if group["group"] == "Carer panel")
        return report["real_living_wage"], group["roles"][0]["below_living_wage"]

    worked_project.start_date = dt.date(2024, 1, 1)
    session.flush()
    assert carer(dt.date(2024, 10, 22)) == ("12.00", False)
    assert carer(dt.date(2024, 10, 23)) == ("12.60", True)


def test_a_group_without_a_comparator_is_not_at_parity(session, rate_book, worked_project):
    report = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 6, 1)))
    panel = next(group for group in report["groups"] if group["group"] == "Carer panel")
    assert panel["comparator"] is None
    assert panel["roles"][0]["parity"] is None and panel["roles"][0]["gap_percent"] is None
    assert report["roles_without_group"] == ["Note taker"]
    assert report["pay_gap"]["withheld"] is True


def test_rate_card_roles_use_the_figure_in_force(session, rate_book, worked_project):
    group = worked_project.groups[0]
    session.add(_role(worked_project, group, "Consultant co-chair", RoleKind.CLINICAL, PayBasis.SALARY,
                      card="nhs-scotland-afc/band-8a-entry"))
    session.flush()
    report = report_as_json(project_parity(session, worked_project.id, rate_book, today=dt.date(2025, 6, 1)))
    co_chair = next(group for group in report["groups"] if group["group"] == "Co-chair")
    figure = rate_book.lookup("nhs-scotland-afc/band-8a-entry", dt.date(2025, 6, 1)).amount
    assert co_chair["comparator"]["role"] == "Consultant co-chair"
    assert co_chair["comparator"]["effective_hourly_rate"] == str(figure)


def test_the_page_shows_what_the_json_says(app, client, db_session):
    from remun.project_records.demo import load_demo
    from remun.web.pages import rate_book

    with app.test_request_context():
        project = load_demo(db_session, rate_book())
    db_session.commit()
    data = client.get(f"/projects/{project.id}/parity.json").get_json()
    page = client.get(f"/projects/{project.id}/parity").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Counting preparation and travel, the role “Lived experience co-chair” is paid" in text
    for group in data["groups"]:
        assert group["group"] in text
        for role in group["roles"]:
            assert f"£{role['effective_hourly_rate']}" in text, role["role"]
            if role["gap_percent"] is not None:
                assert f"{role['gap_percent']}%" in text
            if role["below_living_wage"]:
                assert f"The role “{role['role']}” is paid £{role['effective_hourly_rate']} an hour, below the Real Living Wage" in text
    assert re.search(r'<svg [^>]*role="img"', page) and "<desc" in page


def test_organisation_dashboard_and_calculator(client, app, db_session):
    from remun.project_records.demo import load_demo
    from remun.web.pages import rate_book

    with app.test_request_context():
        load_demo(db_session, rate_book())
    db_session.commit()
    page = client.get("/parity").get_data(as_text=True)
    assert "Focus group contributor in Community Mental Health Service Redesign" in page
    response = client.post("/calculator", data={"session_hours": "3", "prep_hours": "2", "travel_hours": "1",
                                                "comparator_rate": "30", "band": ""})
    text = " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())
    assert "A fair fee for this session is £180.00" in text
    assert "£60.00 an hour for the session time only" in text
    response = client.post("/calculator", data={"session_hours": "3", "comparator_rate": "", "band": ""})
    assert "Enter the hourly rate to compare with, or choose a pay band" in response.get_data(as_text=True)


def test_parity_command_prints_json_and_a_table(app, db_session):
    from remun.cli.main import cli
    from remun.project_records.demo import load_demo
    from remun.web.pages import rate_book

    with app.test_request_context():
        project = load_demo(db_session, rate_book())
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["parity", "--project", project.name, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["project"] == project.name
    table = runner.invoke(cli, ["parity", "--project", project.name])
    assert "BELOW PARITY, below Real Living Wage" in table.output
    missing = runner.invoke(cli, ["parity", "--project", "No such project"])
    assert missing.exit_code == 2 and "There is no project called “No such project”" in missing.output


def test_chart_labels_fit_beside_their_bars():
    """A 30-character label (the longest the chart shows) fits in the label column at 16px (about 8px a character)."""
    from decimal import Decimal

    from remun.web.charts import LABEL_WIDTH, bar_chart

    chart = bar_chart([("Staff focus group contributor *", Decimal("23.00"), True), ("Focus group contributor", Decimal("5.71"), False)],
                      marker=Decimal("13.45"))
    assert 30 * 8 + 8 <= LABEL_WIDTH
    assert all(bar.width <= chart.width - LABEL_WIDTH - 60 for bar in chart.bars)  # room for the amount on the right
