"""The budget workbook: a sheet per section and a summary whose formulas give exactly Remun's figures.

No spreadsheet program is needed: a small evaluator here works out the formulas the workbook uses
(+ - * /, SUM, SUMIFS and ROUND) from the saved file, the way a spreadsheet would.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import load_workbook

from remun.budget.planning import SECTIONS, TIME, cost_plan
from remun.budget.workbook import budget_workbook
from remun.enums import RoleKind
from tests.test_budget_planning import make_book, worked_example

LABELS = {TIME: "Payment for time", "expenses": "Expenses", "accessibility": "Accessibility and communication support",
          "training": "Training and support for participants", "venue": "Venue and refreshments",
          "voucher_fees": "Fees for buying vouchers", "staff_time": "Staff time to support involvement",
          "other": "Other costs"}
SHEETS = {**LABELS, "accessibility": "Access and communication", "training": "Training and support",
          "voucher_fees": "Voucher fees", "staff_time": "Staff time"}
KINDS = {kind: kind.value for kind in RoleKind}

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


def workbook_for(costing):
    data = budget_workbook(costing, section_labels=LABELS, kind_labels=KINDS, sheet_labels=SHEETS,
                           notes="Worked example")
    return load_workbook(io.BytesIO(data))


def find_row(sheet, label):
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == label:
            return row
    raise AssertionError(f"no row {label!r}")


def test_the_summary_formulas_give_remuns_figures():
    costing = cost_plan(worked_example(), make_book())
    workbook = workbook_for(costing)
    assert workbook.sheetnames == ["Summary", "Payment for time", "Fair pay", "Expenses", "Access and communication",
                                   "Training and support", "Venue and refreshments", "Voucher fees", "Staff time",
                                   "Other costs", "By month"]
    summary = workbook["Summary"]
    evaluate = Evaluator(workbook)
    assert summary["B4"].value == Decimal("10")
    assert [summary.cell(row=6, column=c).value for c in range(1, 5)] == ["Section", "Year 1", "Year 2", "Total"]

    def figures(label):
        row = find_row(summary, label)
        return [evaluate.cell("Summary", row, column) for column in (2, 3, 4)]

    year1, year2 = costing.years
    for section in SECTIONS:
        assert figures(LABELS[section]) == [year1.by_section[section], year2.by_section[section],
                                            costing.by_section[section]], section
    assert figures("Subtotal") == [Decimal("3414.13"), Decimal("3457.60"), Decimal("6871.73")]
    assert figures("Contingency") == [Decimal("341.41"), Decimal("345.76"), Decimal("687.17")]
    assert figures("Total") == [Decimal("3755.54"), Decimal("3803.36"), Decimal("7558.90")]
    assert figures("Extra to pay lived experience and carer roles fairly") == [
        Decimal("730.80"), Decimal("330.00"), Decimal("1060.80")]
    assert figures("Total with the fair option") == [Decimal("4559.42"), Decimal("4166.36"), Decimal("8725.78")]
    assert figures("Not in the total: time paid by employers") == [Decimal("900.00"), Decimal("930.00"),
                                                                    Decimal("1830.00")]
    # Every formula in the summary is a formula, not a typed number.
    assert str(summary.cell(row=find_row(summary, "Total"), column=4).value).startswith("=SUM(")


def test_section_sheets_have_a_row_for_each_run_at_one_price():
    costing = cost_plan(worked_example(), make_book())
    workbook = workbook_for(costing)
    evaluate = Evaluator(workbook)
    time = workbook["Payment for time"]
    rows = [[time.cell(row=r, column=c).value for c in (1, 2, 4, 7, 8, 9, 11)] for r in range(2, 8)]
    # A run breaks where the pay for a session changes or a new year starts (numbers come back as numbers).
    assert rows == [
        [1, "Lived experience co-chair", "Steering group", 6, 1, 90, "Yes"],
        [2, "Lived experience co-chair", "Steering group", 6, 1, 100, "Yes"],
        [1, "Clinical co-chair", "Steering group", 6, 1, 150, "No"],
        [2, "Clinical co-chair", "Steering group", 6, 1, 155, "No"],
        [1, "Carer panel member", "Carers' workshop", 4, 3, 24, "Yes"],
        [None] * 7,
    ]
    assert [evaluate.cell("Payment for time", r, 10) for r in range(2, 7)] == [
        Decimal("540.00"), Decimal("600.00"), Decimal("900.00"), Decimal("930.00"), Decimal("288.00")]
    assert evaluate.cell("Payment for time", find_row(time, "Total in the budget"), 10) == Decimal("1428.00")

    fair = workbook["Fair pay"]
    assert evaluate.cell("Fair pay", find_row(fair, "Extra in all"), 11) == Decimal("1060.80")
    staff = workbook["Staff time"]
    assert [evaluate.cell("Staff time", r, 8) for r in (2, 3)] == [Decimal("165.30"), Decimal("172.30")]
    assert evaluate.cell("Staff time", find_row(staff, "Total"), 9) == Decimal("4051.20")
    venue = workbook["Venue and refreshments"]
    assert evaluate.cell("Venue and refreshments", 2, 8) == Decimal("12.53")  # ROUND(3 x 4.175, 2)
    assert venue.cell(row=2, column=11).value is None
    access = workbook["Access and communication"]
    assert access.cell(row=2, column=2).value == "BSL interpreters"
    by_month = workbook["By month"]
    assert by_month.max_row == 25  # a heading and 24 months
    assert evaluate.cell("By month", 7, 10) == Decimal("842.30")  # September 2026


def test_an_empty_plan_still_makes_a_workbook_that_adds_up():
    from remun.budget.planning import Plan

    costing = cost_plan(Plan("Empty", dt.date(2026, 4, 1), dt.date(2026, 6, 30), Decimal("10"), ()), make_book())
    workbook = workbook_for(costing)
    summary = workbook["Summary"]
    evaluate = Evaluator(workbook)
    assert evaluate.cell("Summary", find_row(summary, "Total"), 3) == Decimal("0")
