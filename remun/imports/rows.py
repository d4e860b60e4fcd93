"""Reading one row of a workbook sheet by its headings: each cell checked and read (the importer's cells)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from remun.money import NotANumber
from remun.imports import N_
from remun.imports import layout as L
from remun.imports.problems import Problem
from remun.imports.cells import (
    HOURS_LIMIT,
    HOURS_PLACES,
    NotADate,
    choice_lookup,
    is_blank,
    read_choice,
    read_date,
    read_number,
    read_text,
    read_yes_no,
    show,
)
from remun.imports.layout import heading_key

if TYPE_CHECKING:
    from remun.imports.reading import Sheet


HOURS_IN_A_DAY = Decimal(24)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
DEFAULT_CURRENCY = "GBP"
DEFAULT_LANGUAGE = "en"

# Longest text each column can hold (the model's String lengths).
NAME_LIMIT = 200
COST_CENTRE_LIMIT = 50
RATE_CARD_LIMIT = 120
EMAIL_LIMIT = 254
PAYEE_LIMIT = 100

KIND_LOOKUP = choice_lookup(L.KIND_CHOICES)
BASIS_LOOKUP = choice_lookup(L.BASIS_CHOICES)
RECIPROCITY_LOOKUP = choice_lookup(L.RECIPROCITY_CHOICES)
EXPENSE_LOOKUP = choice_lookup(L.EXPENSE_CHOICES)
VEHICLE_LOOKUP = choice_lookup(L.VEHICLE_CHOICES)
LOCATION_LOOKUP = choice_lookup(L.LOCATION_CHOICES)
MILES_PLACES = Decimal("0.01")
MILES_LIMIT = Decimal("100000")
LANGUAGE_LOOKUP = {code: code for code in L.LANGUAGES}


def choices_text(labels: Iterable[str]) -> str:
    return ", ".join(labels)


KIND_CHOICES_TEXT = choices_text(L.KIND_CHOICES)
BASIS_CHOICES_TEXT = choices_text(L.BASIS_CHOICES)
RECIPROCITY_CHOICES_TEXT = choices_text(L.RECIPROCITY_CHOICES)
EXPENSE_CHOICES_TEXT = choices_text(L.EXPENSE_CHOICES)
VEHICLE_CHOICES_TEXT = choices_text(L.VEHICLE_CHOICES)
LOCATION_CHOICES_TEXT = choices_text(L.LOCATION_CHOICES)
LANGUAGE_CHOICES_TEXT = choices_text(L.LANGUAGES)


class Row:
    """One row's cells, read by column heading. A cell that cannot be read is a problem."""

    __slots__ = ("sheet", "row_number", "cells", "columns", "problems", "bad")

    def __init__(self, sheet: Sheet, number: int, cells: tuple, problems: list[Problem]):
        self.sheet = sheet.name
        self.row_number = number
        self.cells = cells
        self.columns = sheet.columns
        self.problems = problems
        self.bad: set[str] = set()

    @property
    def ok(self) -> bool:
        return not self.bad

    def problem(self, column: str | None, message_id: str, /, **params: Any) -> None:
        self.bad.add(column or "")
        self.problems.append(Problem(self.sheet, self.row_number, column, message_id, params))

    def raw(self, column: str) -> object:
        index = self.columns.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, column: str, limit: int | None = None, required: str | None = None) -> str | None:
        value = read_text(self.raw(column))
        if value is None:
            if required:
                self.problem(column, required)
            return None
        if limit is not None and len(value) > limit:
            self.problem(column, N_("This is %(length)d characters long. Use %(limit)d or fewer."),
                         length=len(value), limit=limit)
            return None
        return value

    def number(self, column: str, places: Decimal, limit: Decimal, required: str | None = None) -> Decimal | None:
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required)
            return None
        try:
            number = read_number(value, places)
        except NotANumber:
            self.problem(column, N_("'%(value)s' is not a number."), value=show(value))
            return None
        if number < 0:
            self.problem(column, N_("%(value)s is less than zero. Use zero or more."), value=show(value))
            return None
        if number >= limit:
            self.problem(column, N_("%(value)s is too large."), value=show(value))
            return None
        return number

    def hours(self, column: str, within_a_day: bool = False, required: str | None = None) -> Decimal | None:
        hours = self.number(column, HOURS_PLACES, HOURS_LIMIT, required)
        if hours is not None and within_a_day and hours > HOURS_IN_A_DAY:
            self.problem(column, N_("%(value)s hours is longer than a day. Use 24 hours or fewer."),
                         value=show(self.raw(column)))
            return None
        return hours

    def date(self, column: str, required: str | None = None) -> dt.date | None:
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required)
            return None
        try:
            return read_date(value)
        except NotADate:
            self.problem(column, N_("'%(value)s' is not a date. Write dates like 2025-03-31 or 31/03/2025."),
                         value=show(value))
            return None

    def choice(self, column: str, lookup: dict, wrong: str, choices: str, required: str | None = None):
        value = self.raw(column)
        if is_blank(value):
            if required:
                self.problem(column, required, choices=choices)
            return None
        try:
            return read_choice(value, lookup)
        except KeyError:
            self.problem(column, wrong, value=show(value), choices=choices)
            return None

    def yes_no(self, column: str) -> bool | None:
        """Yes or No; blank is No."""
        value = self.raw(column)
        if is_blank(value):
            return False
        try:
            return read_yes_no(value)
        except ValueError:
            self.problem(column, N_("'%(value)s' is not Yes or No. Use Yes or No."), value=show(value))
            return None


def key_of(text: str) -> str:
    """How names and titles are matched: case and extra spaces do not matter."""
    return heading_key(text)


def unit_of(unit: str) -> str:
    return unit.replace("_", " ")


def chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
