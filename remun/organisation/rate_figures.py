"""Published figures an organisation adds itself, without waiting for a release of Remun.

An administrator (on the rates page, or ``remun rates add``) records a figure
for an existing card reference, say ``real-living-wage/uk``, with the day it
starts, the page it was published on and, if known, the day it ends. The rate
book in use is the shipped cards with these figures laid over them by date
(``RateBook.with_figures``), later additions winning. Every addition, ending
and withdrawal is in the audit log.

A figure is never edited. One added by mistake is ended (from a day on) or
withdrawn; a later figure replaces it from its own start day. Neither may
take a figure away from a day on which an approved claim was priced with it:
approved claims never change under anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlparse

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from remun.accounts import audit
from remun.project_records.models import Base
from remun.money import RATE_DIGITS, NotANumber, to_decimal
from remun.pay.rate_cards import RateBook, RateEntry


class OrganisationRateFigure(Base):
    """One published figure added by the organisation for a card reference, from a day (to a day)."""

    __tablename__ = "organisation_rate_figures"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The card reference, "source-id/key".
    ref: Mapped[str] = mapped_column(String(120), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(*RATE_DIGITS))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    #: The page the figure was published on.
    source_url: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Set when the figure was withdrawn as a mistake: it then applies on no day at all.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FigureRefused(ValueError):
    """A figure that cannot be added, ended or withdrawn, with the reason in plain words.

    ``reason`` is a code the pages translate: "invalid", "before_start", "after_end", "used_after", "used";
    ``claims`` counts the approved claims in the way.
    """

    def __init__(self, text: str, reason: str = "invalid", claims: int = 0):
        super().__init__(text)
        self.reason, self.claims = reason, claims


@dataclass(frozen=True)
class FigureProblem:
    field: str
    text: str


def _entry(figure: OrganisationRateFigure, book: RateBook) -> RateEntry | None:
    card = book.latest(figure.ref)
    if card is None:
        return None  # a card reference that a later release removed: nothing to lay it over
    added = figure.added_at.date() if figure.added_at else dt.date.today()
    return RateEntry(
        source=card.source, key=card.key, label=card.label, amount=Decimal(figure.amount), per=card.per,
        effective_from=figure.effective_from, effective_to=figure.effective_to, status="published",
        source_url=figure.source_url, note=figure.note, origin="organisation", figure_id=figure.id, added_on=added,
    )


def active_figures(session: Session) -> list[OrganisationRateFigure]:
    return list(session.scalars(
        select(OrganisationRateFigure).where(OrganisationRateFigure.withdrawn_at.is_(None))
        .order_by(OrganisationRateFigure.id)))


def book_in_use(session: Session, shipped: RateBook, *, only_if_migrated: bool = False) -> RateBook:
    """The shipped cards with the organisation's figures laid over them, by date.

    ``only_if_migrated``: the command line may list the cards before the database exists.
    """
    if only_if_migrated:
        from sqlalchemy import inspect

        if not inspect(session.get_bind()).has_table(OrganisationRateFigure.__tablename__):
            return shipped
    entries = [entry for figure in active_figures(session) if (entry := _entry(figure, shipped)) is not None]
    return shipped.with_figures(entries) if entries else shipped


def check_figure(book: RateBook, ref: str, amount: object, effective_from: dt.date | None,
                 effective_to: dt.date | None, source_url: str) -> list[FigureProblem]:
    """What is wrong with a new figure, in words saying what to fix; empty when it can be added."""
    problems = []
    if not book.knows(ref):
        problems.append(FigureProblem("ref", f"There is no rate card figure called {ref!r}. "
                                              "Use SOURCE/KEY as listed by `remun rates`, for example real-living-wage/uk."))
    try:
        value = to_decimal(amount)
        if value <= 0:
            problems.append(FigureProblem("amount", "Enter an amount more than zero, for example 13.45."))
    except (NotANumber, TypeError):
        problems.append(FigureProblem("amount", "Enter the amount as a number, for example 13.45."))
    if effective_from is None:
        problems.append(FigureProblem("effective_from", "Enter the day the figure starts."))
    elif effective_to is not None and effective_to < effective_from:
        problems.append(FigureProblem("effective_to", "The last day must be on or after the first day."))
    parsed = urlparse(source_url or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append(FigureProblem("source_url", "Enter the web address where the figure is published, "
                                                    "starting https://"))
    return problems


def add_figure(session: Session, book: RateBook, ref: str, amount: object, effective_from: dt.date,
               source_url: str, *, effective_to: dt.date | None = None, note: str | None = None,
               by_user_id: int | None = None) -> OrganisationRateFigure:
    """Store a published figure and audit it; the caller commits. Raises FigureRefused with every problem."""
    problems = check_figure(book, ref, amount, effective_from, effective_to, source_url)
    if problems:
        raise FigureRefused(" ".join(problem.text for problem in problems))
    figure = OrganisationRateFigure(
        ref=ref, amount=to_decimal(amount), effective_from=effective_from, effective_to=effective_to,
        source_url=source_url.strip(), note=(note or "").strip() or None, added_by_id=by_user_id,
    )
    session.add(figure)
    session.flush()
    audit.record(session, by_user_id, "rate_figure.added", "rate_figure", figure.id,
                 {"ref": ref, "amount": figure.amount, "from": effective_from, "to": effective_to,
                  "source_url": figure.source_url})
    return figure


def approved_claims_using(session: Session, figure: OrganisationRateFigure, after: dt.date | None = None) -> int:
    """How many approved claims were priced with ``figure`` (on a session day after ``after``)."""
    from remun.ledger.models import Claim, ClaimStatus
    from remun.project_records.models import Attendance, Meeting

    query = (select(func.count(Claim.id)).join(Attendance, Claim.attendance_id == Attendance.id)
             .join(Meeting, Attendance.meeting_id == Meeting.id)
             .where(Claim.rate_card_ref == figure.ref, Claim.status == ClaimStatus.APPROVED,
                    Claim.rate == figure.amount, Meeting.date >= figure.effective_from))
    if figure.effective_to is not None:
        query = query.where(Meeting.date <= figure.effective_to)
    if after is not None:
        query = query.where(Meeting.date > after)
    return session.scalar(query) or 0


def end_figure(session: Session, figure: OrganisationRateFigure, last_day: dt.date, *,
               by_user_id: int | None = None) -> None:
    """Make ``last_day`` the figure's last day; refused if approved claims were priced with it after then."""
    if last_day < figure.effective_from:
        raise FigureRefused("The last day must be on or after the day the figure starts. "
                            "To take the figure away altogether, withdraw it.", "before_start")
    if figure.effective_to is not None and last_day > figure.effective_to:
        raise FigureRefused("The figure already ends before that day.", "after_end")
    used = approved_claims_using(session, figure, after=last_day)
    if used:
        raise FigureRefused(f"{used} approved claims were worked out with this figure after that day, "
                            "so it cannot end before them. Reverse those claims first, or add a later figure.",
                            "used_after", used)
    before = figure.effective_to
    figure.effective_to = last_day
    audit.record(session, by_user_id, "rate_figure.ended", "rate_figure", figure.id,
                 {"ref": figure.ref, "from": before, "to": last_day})


def withdraw_figure(session: Session, figure: OrganisationRateFigure, *, by_user_id: int | None = None) -> None:
    """Take a mistaken figure away from every day; refused if an approved claim was priced with it."""
    used = approved_claims_using(session, figure)
    if used:
        raise FigureRefused(f"{used} approved claims were worked out with this figure, so it cannot be withdrawn. "
                            "Reverse those claims first, or add a later figure to replace it from a day on.",
                            "used", used)
    figure.withdrawn_at = dt.datetime.now(dt.UTC)
    figure.withdrawn_by_id = by_user_id
    audit.record(session, by_user_id, "rate_figure.withdrawn", "rate_figure", figure.id, {"ref": figure.ref})
