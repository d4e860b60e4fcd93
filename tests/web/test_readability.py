"""Participant pages read at about the level of a 9-year-old, measured with textstat.

The measure is the Flesch-Kincaid grade (US school grade; grade 4 is ages 9 to 10)
of the words a participant reads on each of their pages: headings, paragraphs,
lists, labels, hints, buttons and messages. Names, numbers, dates and amounts
are taken out first, because they are the person's own facts, not prose.

The stated threshold: every participant page at grade 5 or below (ages 10 to 11),
and all participant pages together at grade 4 or below (ages 9 to 10).
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import textstat

from remun.project_records.enums import PayBasis, RoleKind
from remun.project_records.models import Appointment, Meeting, Person, Project, Role, RoleTerms

#: Flesch-Kincaid grade, each page and all pages together.
PAGE_GRADE = 5.0
OVERALL_GRADE = 4.0

#: Elements whose text a participant reads as prose, and the GOV.UK classes of hints and messages.
PROSE = {"h1", "h2", "h3", "p", "li", "label", "legend", "button", "summary", "dt", "dd", "th", "caption"}
PROSE_CLASSES = ("govuk-hint", "govuk-error-message", "govuk-inset-text", "govuk-warning-text__text",
                 "govuk-notification-banner__content")
SKIP = {"script", "style", "svg", "nav", "header", "footer", "code"}


class ProseFinder(HTMLParser):
    """Blocks of prose inside <main>, one per element, with the hidden skip links left out."""

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.stack: list[str] = []
        self.blocks: list[str] = []
        self.current: list[str] | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in ("br", "input", "img", "meta", "link", "hr"):
            return
        self.stack.append(tag)
        classes = dict(attrs).get("class") or ""
        if self.in_main and self.current is None and (tag in PROSE or any(name in classes for name in PROSE_CLASSES)):
            self.current, self.depth = [], len(self.stack)

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        if tag in self.stack:
            while self.stack:
                closed = self.stack.pop()
                if self.current is not None and len(self.stack) < self.depth:
                    text = " ".join(" ".join(self.current).split())
                    if text:
                        self.blocks.append(text)
                    self.current = None
                if closed == tag:
                    break

    def handle_data(self, data):
        if self.current is not None and not SKIP & set(self.stack):
            self.current.append(data)


#: The person's own facts: amounts, dates, numbers, emails and the names given to things.
FACTS = re.compile(r"£\s?[\d,.]+|\b\d[\d,.:/%]*\b|\S+@\S+")


def prose(html: str, names: tuple[str, ...] = ()) -> str:
    finder = ProseFinder()
    finder.feed(html)
    sentences = []
    for block in finder.blocks:
        for name in names:
            block = block.replace(name, "")
        block = FACTS.sub("", block).strip(" ,:;–-()")
        if re.search(r"[A-Za-z]{2}", block):
            sentences.append(block if block[-1] in ".?!" else block + ".")
    return " ".join(sentences)


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


@pytest.fixture
def participant(db_session, participant_user):
    person = db_session.get(Person, participant_user.person_id)
    project = Project(name="Readability project", start_date=dt.date(2026, 4, 1))
    role = Role(project=project, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2026, 4, 1), basis=PayBasis.SESSION, rate=Decimal("90"),
                                session_hours=Decimal("3")))
    meeting = Meeting(project=project, date=dt.date.today() - dt.timedelta(days=1), title="Panel", hours=Decimal("3"))
    db_session.add_all([project, meeting, Appointment(person=person, role=role, start_date=dt.date(2026, 4, 1))])
    db_session.commit()
    return {"person": person, "meeting": meeting, "user": participant_user,
            "names": (person.name, person.email, project.name, role.title, meeting.title)}


def participant_pages(person_id: int, meeting_id: int) -> list[str]:
    return [
        f"/people/{person_id}/home",
        f"/people/{person_id}/thanks",
        f"/people/{person_id}/thanks/vouchers",
        f"/people/{person_id}/thanks/bank_transfer",
        f"/people/{person_id}/thanks/donation",
        f"/people/{person_id}/thanks/training",
        f"/people/{person_id}/thanks/no_payment",
        f"/people/{person_id}/thanks/split-by-percentage",
        f"/people/{person_id}/sessions",
        f"/people/{person_id}/sessions/{meeting_id}",
        f"/people/{person_id}/benefits",
        f"/people/{person_id}/statement",
        "/account",
        "/account/password",
    ]


def test_participant_pages_read_at_about_the_level_of_a_nine_year_old(participant, client_for):
    client = client_for(participant["user"])
    grades, everything = {}, []
    for path in participant_pages(participant["person"].id, participant["meeting"].id):
        response = client.get(path)
        assert response.status_code == 200, path
        text = prose(response.get_data(as_text=True), participant["names"])
        assert len(text.split()) >= 8, f"{path} has almost no words to measure: {text!r}"
        grades[path] = grade(text)
        everything.append(text)
    overall = grade(" ".join(everything))
    report = "\n".join(f"{value:5.1f}  {path}" for path, value in sorted(grades.items(), key=lambda item: -item[1]))
    assert max(grades.values()) <= PAGE_GRADE, f"pages above grade {PAGE_GRADE}:\n{report}"
    assert overall <= OVERALL_GRADE, f"all participant pages together: grade {overall}\n{report}"


def test_the_measure_tells_plain_words_from_officialese():
    plain = "You can choose how we thank you. We can pay you, or give you a voucher. You can change your mind."
    official = ("Remuneration preferences may be amended subsequently; reciprocity arrangements are administered "
                "in accordance with organisational financial governance requirements.")
    assert grade(plain) <= OVERALL_GRADE < PAGE_GRADE < grade(official)


def test_prose_leaves_out_names_amounts_and_dates():
    html = "<main><h1>Pat Example</h1><p>You are owed £1,234.50 for 3 sessions on 05/03/2026.</p></main>"
    assert prose(html, ("Pat Example",)) == "You are owed  for  sessions on ."


def test_the_glossary_explains_its_words_plainly():
    """Everyone reads the glossary, participants too: its sentences together at grade 5 or below."""
    from remun.glossary import TERMS

    assert grade(" ".join(term.meaning for term in TERMS)) <= PAGE_GRADE
