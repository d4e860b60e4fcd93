"""Budgets: the worked example, a budget with a ledger, and reading the budget workbook."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, Decimal as D, ROUND_HALF_UP

from sqlalchemy import select

from remun.budget.models import Budget, BudgetCategory, BudgetItem, BudgetLine
from remun.budget.planning import Plan, PlanItem, PlanLine, PlanRole, TermsFrom
from remun.ledger import claims, settlement
from remun.ledger.models import Claim, ClaimKind
from remun.pay.rate_cards import RateBook, RateEntry, RateSource
from remun.project_records.enums import ExpenseCategory, PayBasis, Reciprocity, RoleKind
from remun.project_records.models import Attendance, Expense, Meeting, Person, Project, Role, RoleGroup, RoleTerms


d = dt.date


def project_with_budget(session) -> tuple[Project, Budget, dict[str, Role]]:
    """A panel member at £20 an hour (3 hours + 1 hour's paid preparation: £80 a session), rising to
    £22 (£88) from 1 July 2026; a salaried clinician; a carer reviewer the budget forgot.

    The budget: 6 monthly panels from April 2026 for 2 panel members (3 at £160, 3 at £176: £1,008),
    bus fares of £6.40 for each of them (£76.80) and a £50 room (not paid through the ledger).
    """
    project = Project(name="Budget actuals", start_date=d(2026, 4, 1), end_date=d(2027, 3, 31))
    group = RoleGroup(project=project, name="Panel")
    panel = Role(project=project, group=group, title="Panel member", kind=RoleKind.LIVED_EXPERIENCE)
    panel.terms.append(RoleTerms(effective_from=d(2026, 4, 1), basis=PayBasis.HOUR, rate=D("20"),
                                 session_hours=D("3"), prep_hours=D("1"), prep_paid=True))
    panel.terms.append(RoleTerms(effective_from=d(2026, 7, 1), basis=PayBasis.HOUR, rate=D("22"),
                                 session_hours=D("3"), prep_hours=D("1"), prep_paid=True))
    clinician = Role(project=project, group=group, title="Clinician", kind=RoleKind.CLINICAL)
    clinician.terms.append(RoleTerms(effective_from=d(2026, 4, 1), basis=PayBasis.SALARY, rate=D("30"),
                                     session_hours=D("3"), prep_hours=D("1")))
    reviewer = Role(project=project, title="Carer reviewer", kind=RoleKind.CARER)
    reviewer.terms.append(RoleTerms(effective_from=d(2026, 4, 1), basis=PayBasis.SESSION, rate=D("40"),
                                    session_hours=D("2")))
    budget = Budget(project=project, name=project.name, start_date=d(2026, 4, 1), end_date=d(2027, 3, 31),
                    contingency_percent=D("0"))
    budget.lines.append(BudgetLine(role=panel, description="Panel", first_month=d(2026, 4, 1), sessions=6,
                                   per_month=1, every_months=1, people=2, session_hours=D("3"), prep_hours=D("1"),
                                   travel_hours=D("0")))
    budget.items.append(BudgetItem(category=BudgetCategory.EXPENSES, description="Bus fares", quantity=D("2"),
                                   unit_cost=D("6.40"), first_month=d(2026, 4, 1), times=6, every_months=1))
    budget.items.append(BudgetItem(category=BudgetCategory.VENUE, description="Room", quantity=D("1"),
                                   unit_cost=D("50"), first_month=d(2026, 4, 1), times=1, every_months=1))
    session.add_all([project, budget])
    session.flush()
    return project, budget, {"panel": panel, "clinician": clinician, "reviewer": reviewer}


def _attend(session, meeting, person, role, expenses=None):
    attendance = Attendance(meeting=meeting, person=person, role=role, hours=D("3"), prep_hours=D("1"))
    if expenses:
        attendance.expenses.append(Expense(amount=D(expenses), category=ExpenseCategory.TRAVEL))
    session.add(attendance)
    return attendance


def _approve_waiting(session, rate_book, project):
    claims.sync_claims(session, rate_book, project_id=project.id)
    return claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None)


def build_ledger(session, rate_book, project, roles):
    """April: Ann (bank), Bea (vouchers), Cal (declines payment) and Dee (not chosen) each £80 + £6.40 bus.
    May: Ann again; Eve (vouchers) £80. Then a batch is paid and in-kind settled. Eve's £80 is then
    reversed, her hours corrected to 2 + 1 and her £60 approved again (not yet given).
    June: Ann again, approved but not paid. The carer reviewer, not in the plan, is paid £40 in May."""
    people = {name: Person(name=name, reciprocity=choice) for name, choice in [
        ("Ann", Reciprocity.BANK_TRANSFER), ("Bea", Reciprocity.VOUCHERS), ("Cal", Reciprocity.NO_PAYMENT),
        ("Dee", Reciprocity.NOT_CHOSEN), ("Eve", Reciprocity.VOUCHERS), ("Fin", Reciprocity.BANK_TRANSFER)]}
    april = Meeting(project=project, date=d(2026, 4, 14), title="Panel", hours=D("3"))
    may = Meeting(project=project, date=d(2026, 5, 12), title="Panel", hours=D("3"))
    june = Meeting(project=project, date=d(2026, 6, 9), title="Panel", hours=D("3"))
    session.add_all([*people.values(), april, may, june])
    for name in ("Ann", "Bea", "Cal", "Dee"):
        _attend(session, april, people[name], roles["panel"], "6.40")
    _attend(session, may, people["Ann"], roles["panel"], "6.40")
    eve = _attend(session, may, people["Eve"], roles["panel"])
    reviewer = Attendance(meeting=may, person=people["Fin"], role=roles["reviewer"], hours=D("2"))
    session.add(reviewer)
    session.flush()
    _approve_waiting(session, rate_book, project)
    batch = settlement.create_batch(session, project.id, user_id=None)
    assert settlement.mark_paid(session, batch.id, user_id=None)
    settlement.settle_in_kind(session, project.id, user_id=None)
    eve_claim = session.scalar(select(Claim).where(Claim.attendance_id == eve.id, Claim.kind == ClaimKind.TIME))
    claims.reverse_claim(session, eve_claim.id, "Wrong hours", user_id=None)
    eve.hours = D("2")
    _attend(session, june, people["Ann"], roles["panel"], "6.40")
    session.flush()
    _approve_waiting(session, rate_book, project)


def make_book() -> RateBook:
    """Test figures only (see the module docstring)."""
    wage = RateSource("real-living-wage", "Real Living Wage", "Test", "https://example.org", "wage_floor", "GBP", "t.toml")
    band = RateSource("test-band", "A pay band", "Test", "https://example.org", "pay_scale", "GBP", "t.toml")
    book = RateBook()
    book.sources = {wage.id: wage, band.id: band}
    book.history = {
        "real-living-wage/uk": [
            RateEntry(wage, "uk", "Real Living Wage", D("13.45"), "hour", d(2025, 10, 22), d(2026, 10, 20), "published"),
            RateEntry(wage, "uk", "Real Living Wage", D("14.00"), "hour", d(2026, 10, 21), None, "unconfirmed"),
        ],
        "test-band/band-5": [
            RateEntry(band, "band-5", "Band 5", D("16.53"), "hour", d(2024, 4, 1), d(2027, 3, 31), "published"),
            RateEntry(band, "band-5", "Band 5", D("17.23"), "hour", d(2027, 4, 1), None, "derived", derivation="test"),
        ],
    }
    return book


def terms(start, basis, rate, session, prep="0", prep_paid=False, travel="0", travel_paid=False, ref=None):
    return TermsFrom(basis, None if rate is None else D(rate), ref, D(session), D(prep), prep_paid, D(travel),
                     travel_paid, effective_from=start)


def worked_example() -> Plan:
    """Two years from April 2026, 10% contingency (docs/budget.md, "The worked example")."""
    roles = (
        PlanRole("co-chair", "Lived experience co-chair", RoleKind.LIVED_EXPERIENCE, "Co-chair", (
            terms(d(2026, 4, 1), PayBasis.SESSION, "90", "3", "2"),
            terms(d(2027, 4, 1), PayBasis.SESSION, "100", "3", "2"),  # a rise part way through
        )),
        PlanRole("clinician", "Clinical co-chair", RoleKind.CLINICAL, "Co-chair", (
            terms(d(2026, 4, 1), PayBasis.SALARY, "30", "3", "2"),
            terms(d(2027, 4, 1), PayBasis.SALARY, "31", "3", "2"),
        )),
        PlanRole("carer", "Carer panel member", RoleKind.CARER, "Panel member", (
            terms(d(2026, 4, 1), PayBasis.HOUR, "12", "2", "1", False, "1", False),
        )),
    )
    lines = (
        PlanLine("steering", "co-chair", "Steering group", d(2026, 5, 1), 12, D("3"), D("2"), every_months=2),
        PlanLine("steering-staff", "clinician", "Steering group", d(2026, 5, 1), 12, D("3"), D("2"), every_months=2,
                 in_total=False),
        PlanLine("workshop", "carer", "Carers' workshop", d(2026, 6, 1), 4, D("2"), D("1"), D("1"), every_months=3,
                 people=3),
    )
    items = (
        PlanItem("travel", BudgetCategory.EXPENSES, "Co-chair travel", D("1"), D("15"), None, d(2026, 5, 1), 12, 2),
        PlanItem("bsl", BudgetCategory.ACCESSIBILITY, "BSL interpreters", D("2"), D("250"), None, d(2026, 9, 1), 2, 12),
        PlanItem("coordinator", BudgetCategory.STAFF_TIME, "Coordinator time", D("10"), None, "test-band/band-5",
                 d(2026, 4, 1), 24, 1),
        PlanItem("tea", BudgetCategory.VENUE, "Refreshments", D("3"), D("4.175"), None, d(2026, 10, 1)),
        PlanItem("party", BudgetCategory.OTHER, "Celebration event", D("1"), D("200"), None, d(2028, 3, 1)),
    )
    return Plan("Crisis pathway co-design", d(2026, 4, 1), d(2028, 3, 31), D("10"), roles, lines, items)


TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"[^"]*")
  | (?P<ref>(?:'(?:[^']|'')+'!|[A-Za-z_][\w ]*!)?\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)
  | (?P<function>[A-Z]+)\(
  | (?P<op>[-+*/(),])
)""", re.VERBOSE)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class Evaluator:
    def __init__(self, workbook):
        self.workbook = workbook

    def cell(self, sheet: str, row: int, column: int):
        value = self.workbook[sheet].cell(row=row, column=column).value
        if isinstance(value, str) and value.startswith("="):
            return self.formula(sheet, value[1:])
        if isinstance(value, bool) or value is None or isinstance(value, dt.datetime):
            return value
        if isinstance(value, (int, float, Decimal)):
            return Decimal(str(value))
        return value

    def formula(self, sheet: str, text: str):
        """Work out one formula; a cell it refers to may hold another, so the reader's place is kept."""
        saved = (getattr(self, "tokens", None), getattr(self, "position", 0), getattr(self, "sheet", None))
        self.tokens = [(m.lastgroup, m.group(m.lastgroup)) for m in TOKEN.finditer(text)]
        self.position, self.sheet = 0, sheet
        result = self._expression()
        assert self.position == len(self.tokens), f"could not read all of ={text}"
        self.tokens, self.position, self.sheet = saved
        return result

    def _peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def _take(self):
        token = self._peek()
        self.position += 1
        return token

    def _expression(self):
        value = self._term()
        while self._peek() in (("op", "+"), ("op", "-")):
            _, op = self._take()
            right = self._term()
            value = value + right if op == "+" else value - right
        return value

    def _term(self):
        value = self._factor()
        while self._peek() in (("op", "*"), ("op", "/")):
            _, op = self._take()
            right = self._factor()
            value = value * right if op == "*" else value / right
        return value

    def _factor(self):
        kind, value = self._take()
        if kind == "op" and value == "-":
            return -self._factor()
        if kind == "op" and value == "(":
            result = self._expression()
            assert self._take() == ("op", ")")
            return result
        if kind == "number":
            return Decimal(value)
        if kind == "string":
            return value[1:-1]
        if kind == "ref":
            cells = self._cells(value)
            if ":" in value:
                return cells
            return self._number(self.cell(*cells[0]))
        if kind == "function":
            arguments = []
            while self._peek() != ("op", ")"):
                arguments.append(self._expression())
                if self._peek() == ("op", ","):
                    self._take()
            self._take()
            return self._call(value, arguments)
        raise AssertionError(f"cannot read {kind} {value}")

    @staticmethod
    def _number(value):
        return Decimal(0) if value is None else value

    def _cells(self, ref: str):
        sheet = self.sheet
        if "!" in ref:
            name, ref = ref.rsplit("!", 1)
            sheet = name[1:-1].replace("''", "'") if name.startswith("'") else name
        ref = ref.replace("$", "")
        first, _, last = ref.partition(":")
        last = last or first
        (c1, r1), (c2, r2) = (re.match(r"([A-Z]+)(\d+)", part).groups() for part in (first, last))
        return [(sheet, row, column) for row in range(int(r1), int(r2) + 1)
                for column in range(_column_number(c1), _column_number(c2) + 1)]

    def _values(self, argument):
        if isinstance(argument, list):
            return [self.cell(*address) for address in argument]
        return [argument]

    def _call(self, name, arguments):
        if name == "SUM":
            return sum((v for a in arguments for v in self._values(a) if isinstance(v, Decimal)), Decimal(0))
        if name == "ROUND":
            value, places = arguments
            return value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
        if name == "SUMIFS":
            sums = self._values(arguments[0])
            keep = [True] * len(sums)
            for criteria_range, criterion in zip(arguments[1::2], arguments[2::2], strict=True):
                for index, value in enumerate(self._values(criteria_range)):
                    keep[index] = keep[index] and value == criterion
            return sum((v for v, k in zip(sums, keep, strict=True) if k and isinstance(v, Decimal)), Decimal(0))
        raise AssertionError(f"unexpected function {name}")


def find_row(sheet, label):
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == label:
            return row
    raise AssertionError(f"no row {label!r}")
