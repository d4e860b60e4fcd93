"""Reciprocity rules: every way of being thanked settles where it should, splits share exactly,
a change of mind touches only what is not yet settled, nothing is assumed for someone who has not
chosen, and the benefits estimate matches worked examples done by hand (in the comments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.ledger import balances, claims, settlement
from remun.ledger.models import Claim, ClaimKind
from remun.project_records.models import Appointment, Attendance, Meeting, Person, Project, Role, RoleTerms
from remun.reciprocity import benefits, choices
from remun.reciprocity.choices import ChoiceProblem, Part
from remun.reciprocity.models import ReciprocityChoice, SettlementPart
from remun.reciprocity.offers import load_offers, make_up
from remun.reciprocity.overview import project_overview
from remun.reciprocity.routing import split_amount
from tests.helpers.ledger import approve_all, build_project

H = Decimal("100")


def _person(session, name):
    return session.scalar(select(Person).where(Person.name == name))


def _time_claim(session, person):
    return session.scalar(select(Claim).where(Claim.person_id == person.id, Claim.kind == ClaimKind.TIME))


def _settle_everything(session, project):
    batch = settlement.create_batch(session, project.id, None)
    if batch is not None:
        assert settlement.mark_paid(session, batch.id, None)
    settlement.settle_in_kind(session, project.id, None)
    return batch


# --- Each choice -------------------------------------------------------------------------------

MONEY = [(Reciprocity.BANK_TRANSFER, None), (Reciprocity.PAYMENT_CARD, "A prepaid payment card"),
         (Reciprocity.CHEQUE, "A cheque"), (Reciprocity.THIRD_PARTY, "Jo Bloggs")]
IN_KIND = [(Reciprocity.VOUCHERS, "Love2shop"), (Reciprocity.TRAINING, None), (Reciprocity.DONATION, "Samaritans")]


@pytest.mark.parametrize("method, detail", MONEY)
def test_each_way_of_being_paid_money_goes_to_the_payment_batch(session, rate_book, method, detail):
    # £80 for time (3 h + 1 h prep at £20) and £6.40 bus fare, both paid as money.
    project = build_project(session, {"Ann": Reciprocity.NOT_CHOSEN})
    ann = _person(session, "Ann")
    choices.record_choice(session, ann, [Part(method, H, detail)], user_id=None)
    approve_all(session, project, rate_book)
    batch = _settle_everything(session, project)
    assert batch.total == Decimal("86.40") and len(batch.items) == 2
    time_claim = _time_claim(session, ann)
    assert time_claim.settled_as == method and time_claim.settled_at is not None
    part = session.scalar(select(SettlementPart).where(SettlementPart.claim_id == time_claim.id))
    assert (part.method, part.amount, part.detail, part.batch_id) == (method, Decimal("80.00"), detail, batch.id)
    row = balances.person_balance(session, ann.id)
    assert (row.owed, row.paid, row.in_kind) == (Decimal("0.00"), Decimal("86.40"), Decimal("0.00"))


@pytest.mark.parametrize("method, detail", IN_KIND)
def test_vouchers_training_and_donations_are_given_in_kind_and_expenses_paid(session, rate_book, method, detail):
    project = build_project(session, {"Bea": Reciprocity.NOT_CHOSEN})
    bea = _person(session, "Bea")
    choices.record_choice(session, bea, [Part(method, H, detail)], user_id=None)
    approve_all(session, project, rate_book)
    result = settlement.settle_in_kind(session, project.id, None)
    assert result.settled[method] == Decimal("80.00")
    batch = settlement.create_batch(session, project.id, None)  # expenses are always money
    assert batch.total == Decimal("6.40")
    settlement.mark_paid(session, batch.id, None)
    row = balances.person_balance(session, bea.id)
    assert (row.owed, row.paid, row.in_kind) == (Decimal("0.00"), Decimal("6.40"), Decimal("80.00"))
    part = session.scalar(select(SettlementPart).where(SettlementPart.claim_id == _time_claim(session, bea).id))
    assert (part.method, part.detail, part.given_at is not None) == (method, detail, True)


def test_no_payment_is_declined_with_an_optional_reason(session, rate_book):
    project = build_project(session, {"Cal": Reciprocity.NOT_CHOSEN})
    cal = _person(session, "Cal")
    choice = choices.record_choice(session, cal, [Part(Reciprocity.NO_PAYMENT, H)], user_id=None,
                                   reason="  I volunteer here  ")
    assert choice.reason == "I volunteer here"
    choices.record_choice(session, cal, [Part(Reciprocity.NO_PAYMENT, H)], user_id=None)  # a reason is never required
    approve_all(session, project, rate_book)
    row = balances.person_balance(session, cal.id)
    assert (row.owed, row.declined) == (Decimal("6.40"), Decimal("80.00"))  # expenses are still repaid


def test_not_chosen_waits_and_finance_sees_who(session, rate_book):
    project = build_project(session, {"Dee": Reciprocity.NOT_CHOSEN, "Eve": Reciprocity.BANK_TRANSFER})
    approve_all(session, project, rate_book)
    waiting = settlement.waiting(session, project.id)
    assert [claim.person_id for claim in waiting.not_chosen] == [_person(session, "Dee").id]
    batch = settlement.create_batch(session, project.id, None)
    # Eve's £80 + £6.40 and Dee's expenses £6.40; Dee's time waits.
    assert batch.total == Decimal("92.80")
    assert [p.name for p in project_overview(session, project.id).not_chosen] == ["Dee"]
    assert _time_claim(session, _person(session, "Dee")).settled_at is None


# --- Splits ------------------------------------------------------------------------------------

def test_split_shares_each_claim_by_percentage(session, rate_book):
    # £80 split 50% bank, 30% vouchers, 20% donation: £40.00 + £24.00 + £16.00.
    project = build_project(session, {"Fin": Reciprocity.NOT_CHOSEN})
    fin = _person(session, "Fin")
    choices.record_choice(session, fin, [Part(Reciprocity.BANK_TRANSFER, Decimal("50")),
                                         Part(Reciprocity.VOUCHERS, Decimal("30"), "Tesco"),
                                         Part(Reciprocity.DONATION, Decimal("20"), "Mind")], user_id=None)
    assert fin.reciprocity == Reciprocity.SPLIT
    approve_all(session, project, rate_book)
    in_kind = settlement.settle_in_kind(session, project.id, None)
    assert (in_kind.settled[Reciprocity.VOUCHERS], in_kind.settled[Reciprocity.DONATION]) == (Decimal("24.00"), Decimal("16.00"))
    time_claim = _time_claim(session, fin)
    assert time_claim.settled_at is None  # its money part still waits for a batch
    batch = settlement.create_batch(session, project.id, None)
    assert batch.total == Decimal("46.40")  # £40.00 of time + £6.40 expenses
    settlement.mark_paid(session, batch.id, None)
    assert time_claim.settled_as == Reciprocity.SPLIT and time_claim.settled_at is not None
    row = balances.person_balance(session, fin.id)
    assert (row.owed, row.paid, row.in_kind) == (Decimal("0.00"), Decimal("46.40"), Decimal("40.00"))
    totals = project_overview(session, project.id).totals
    assert totals == {Reciprocity.BANK_TRANSFER: Decimal("40.00"), Reciprocity.VOUCHERS: Decimal("24.00"),
                      Reciprocity.DONATION: Decimal("16.00")}


def test_split_pennies_go_to_the_last_part():
    # £90.01 × 50% = £45.005, rounded half up to £45.01; the last part gets the rest, £45.00.
    parts = split_amount(Decimal("90.01"), [(Reciprocity.BANK_TRANSFER, Decimal("50"), None),
                                            (Reciprocity.VOUCHERS, Decimal("50"), "Tesco")])
    assert [part.amount for part in parts] == [Decimal("45.01"), Decimal("45.00")]
    # £10 in thirds: 3.33 + 3.33 + 3.34.
    thirds = split_amount(Decimal("10"), [(Reciprocity.BANK_TRANSFER, Decimal("33.33"), None),
                                          (Reciprocity.TRAINING, Decimal("33.33"), None),
                                          (Reciprocity.DONATION, Decimal("33.34"), "Mind")])
    assert [part.amount for part in thirds] == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]


@pytest.mark.parametrize("parts, code", [
    ([Part(Reciprocity.BANK_TRANSFER, Decimal("60")), Part(Reciprocity.VOUCHERS, Decimal("30"), "Tesco")], "not_100"),
    ([Part(Reciprocity.BANK_TRANSFER, Decimal("50")), Part(Reciprocity.CHEQUE, Decimal("50"))], "two_money_ways"),
    ([Part(Reciprocity.DONATION, H)], "needs_detail"),
    ([Part(Reciprocity.VOUCHERS, H)], "needs_detail"),
    ([Part(Reciprocity.THIRD_PARTY, H, "  ")], "needs_detail"),
    ([Part(Reciprocity.NOT_CHOSEN, H)], "unknown_method"),
    ([], "nothing_chosen"),
])
def test_choices_that_cannot_be_saved(session, parts, code):
    person = Person(name="Gil")
    session.add(person)
    session.flush()
    with pytest.raises(ChoiceProblem) as problem:
        choices.record_choice(session, person, parts, user_id=None)
    assert problem.value.code == code
    assert session.scalar(select(ReciprocityChoice).where(ReciprocityChoice.person_id == person.id)) is None


# --- A change of mind --------------------------------------------------------------------------

def test_a_change_of_mind_applies_only_to_what_is_not_yet_settled(session, rate_book):
    project = build_project(session, {"Hal": Reciprocity.NOT_CHOSEN})
    hal = _person(session, "Hal")
    role = session.scalar(select(Role).where(Role.project_id == project.id, Role.kind == RoleKind.LIVED_EXPERIENCE))
    choices.record_choice(session, hal, [Part(Reciprocity.BANK_TRANSFER, H)], user_id=None)
    approve_all(session, project, rate_book)
    _settle_everything(session, project)  # session 1 paid by bank: £80 + £6.40
    # A second session, approved but not settled, then a change of mind to vouchers.
    second = Meeting(project=project, date=project.start_date + dt.timedelta(days=1), title="Panel 2", hours=Decimal("3"))
    session.add(second)
    session.add(Attendance(meeting=second, person=hal, role=role, hours=Decimal("3"), prep_hours=Decimal("1")))
    session.flush()
    approve_all(session, project, rate_book)
    choices.record_choice(session, hal, [Part(Reciprocity.VOUCHERS, H, "Love2shop")], user_id=None)
    _settle_everything(session, project)
    found = session.scalars(select(Claim).where(Claim.person_id == hal.id, Claim.kind == ClaimKind.TIME)
                            .order_by(Claim.id)).all()
    assert [claim.settled_as for claim in found] == [Reciprocity.BANK_TRANSFER, Reciprocity.VOUCHERS]
    row = balances.person_balance(session, hal.id)
    assert (row.paid, row.in_kind) == (Decimal("86.40"), Decimal("80.00"))
    history = choices.history(session, hal.id)
    assert [item.summary for item in history] == [Reciprocity.VOUCHERS, Reciprocity.BANK_TRANSFER]
    assert hal.reciprocity == Reciprocity.VOUCHERS


def test_a_lead_edit_of_the_summary_wins_over_an_older_choice(session):
    person = Person(name="Ida")
    session.add(person)
    session.flush()
    choices.record_choice(session, person, [Part(Reciprocity.VOUCHERS, H, "Tesco")], user_id=None)
    person.reciprocity = Reciprocity.BANK_TRANSFER  # changed on the person page
    current = choices.current_choice(session, person)
    assert (current.summary, current.parts, current.choice_id) == (
        Reciprocity.BANK_TRANSFER, (Part(Reciprocity.BANK_TRANSFER, H),), None)
    person.reciprocity = Reciprocity.SPLIT  # a split with no parts recorded: nothing is assumed
    assert not choices.current_choice(session, person).chosen


def test_choice_audit_names_the_kinds_never_the_details(session):
    from remun.accounts.models import AuditEvent

    person = Person(name="Jo")
    session.add(person)
    session.flush()
    choices.record_choice(session, person, [Part(Reciprocity.DONATION, H, "A very personal charity")], user_id=None)
    session.flush()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "reciprocity.chosen",
                                                    AuditEvent.object_id == str(person.id)))
    assert "donation" in event.detail and "personal charity" not in event.detail


# --- Vouchers made up from the denominations on offer ---------------------------------------------

def test_vouchers_are_made_up_from_the_denominations_offered():
    love2shop = load_offers().voucher_provider("Love2shop")  # £50, £20, £10, £5
    # £86.40 = 1 × £50 + 1 × £20 + 1 × £10 + 1 × £5, with £1.40 left over.
    made = make_up(Decimal("86.40"), love2shop)
    assert made.vouchers == ((Decimal("50"), 1), (Decimal("20"), 1), (Decimal("10"), 1), (Decimal("5"), 1))
    assert made.left_over == Decimal("1.40")


# --- The benefits estimate, against worked examples --------------------------------------------

def _hourly_project(session, person):
    """A £20-an-hour role with no preparation, for sessions on chosen dates."""
    project = Project(name=f"Benefits example {person.name}", start_date=dt.date(2025, 4, 1))
    role = Role(project=project, title="Peer researcher", kind=RoleKind.LIVED_EXPERIENCE)
    role.terms.append(RoleTerms(effective_from=dt.date(2025, 4, 1), basis=PayBasis.HOUR, rate=Decimal("20"),
                                session_hours=Decimal("1")))
    session.add_all([project, Appointment(person=person, role=role, start_date=dt.date(2025, 4, 1))])
    session.flush()
    return project, role


def _session_on(session, project, role, person, day, hours):
    meeting = Meeting(project=project, date=day, title=f"Session {day}", hours=Decimal(hours))
    session.add(meeting)
    session.add(Attendance(meeting=meeting, person=person, role=role, hours=Decimal(hours)))
    session.flush()


def _pay(session, project, rate_book, on: dt.date) -> None:
    """Approve what is waiting, pay it in one batch and give what is in kind, all dated ``on``."""
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None, posted_on=on)
    batch = settlement.create_batch(session, project.id, user_id=None)
    if batch is not None:
        settlement.mark_paid(session, batch.id, user_id=None, posted_on=on)
    settlement.settle_in_kind(session, project.id, user_id=None, posted_on=on)
    session.flush()


def _june_2025(session, rate_book, parts, *, one_payment_on=None):
    """Sessions on 3, 5 and 20 June 2025, each paid (or given) after it: 6 June for the first two, 27 June for
    the third. With ``one_payment_on``, all three are paid in one batch on that day instead."""
    person = Person(name=f"Kim {len(parts)} {parts[0].method.value} {one_payment_on}")
    session.add(person)
    session.flush()
    choices.record_choice(session, person, parts, user_id=None)
    project, role = _hourly_project(session, person)
    # Tue 3 and Thu 5 June 2025 are in the week Mon 2 to Sun 8 June: 7 h + 2 h at £20 = £140 + £40 = £180.
    _session_on(session, project, role, person, dt.date(2025, 6, 3), "7")
    _session_on(session, project, role, person, dt.date(2025, 6, 5), "2")
    if one_payment_on is None:
        _pay(session, project, rate_book, dt.date(2025, 6, 6))
    # Fri 20 June: 30.2 h at £20 = £604, so June comes to £180 + £604 = £784.
    _session_on(session, project, role, person, dt.date(2025, 6, 20), "30.2")
    _pay(session, project, rate_book, one_payment_on or dt.date(2025, 6, 27))
    return person


def test_benefits_estimate_paid_by_bank_worked_example(session, rate_book):
    person = _june_2025(session, rate_book, [Part(Reciprocity.BANK_TRANSFER, H)])
    estimate = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4))
    assert (estimate.week_start, estimate.week_end) == (dt.date(2025, 6, 2), dt.date(2025, 6, 8))
    assert (estimate.week.money, estimate.week.in_kind) == (Decimal("180.00"), Decimal("0"))
    assert estimate.month.money == Decimal("784.00")
    limits = {limit.entry.key: limit for limit in estimate.weekly_limits}
    # ESA lower limit £20: £180 is over it. ESA higher limit £195.50 (2025-26): 180 ÷ 195.50 = 92%, near.
    # Carer's Allowance £196: 180 ÷ 196 = 92%, near.
    assert limits["esa-permitted-work-lower"].over
    assert limits["esa-permitted-work-higher"].entry.amount == Decimal("195.50")
    assert limits["esa-permitted-work-higher"].near and not limits["esa-permitted-work-higher"].over
    assert limits["carers-allowance-earnings-limit"].near
    assert len(estimate.warnings) == 3
    # Universal Credit, June 2025, taper 55%:
    #   work allowance £684: (784 − 684) × 0.55 = £55.00 (the worked example in the reference notes);
    #   work allowance £411: (784 − 411) × 0.55 = 373 × 0.55 = £205.15;
    #   no work allowance:   784 × 0.55 = £431.20.
    assert [(t.allowance.amount if t.allowance else None, t.above, t.reduction) for t in estimate.taper] == [
        (Decimal("684"), Decimal("100.00"), Decimal("55.00")),
        (Decimal("411"), Decimal("373.00"), Decimal("205.15")),
        (None, Decimal("784.00"), Decimal("431.20")),
    ]


def test_benefits_estimate_shows_vouchers_apart_and_never_counts_declined_or_donated(session, rate_book):
    split = [Part(Reciprocity.BANK_TRANSFER, Decimal("50")), Part(Reciprocity.VOUCHERS, Decimal("25"), "Tesco"),
             Part(Reciprocity.DONATION, Decimal("25"), "Mind")]
    person = _june_2025(session, rate_book, split)
    estimate = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4))
    # Week: £140 → 70 / 35 / 35 and £40 → 20 / 10 / 10: money £90, vouchers £45, donated £45 (not counted).
    assert (estimate.week.money, estimate.week.in_kind, estimate.week.not_counted) == (
        Decimal("90.00"), Decimal("45.00"), Decimal("45.00"))
    # Limits are compared with money and vouchers together (£135), to be safe: 135 ÷ 195.50 = 69%, no warning.
    higher = next(limit for limit in estimate.weekly_limits if limit.entry.key == "esa-permitted-work-higher")
    assert higher.income == Decimal("135.00") and not higher.near
    declined = _june_2025(session, rate_book, [Part(Reciprocity.NO_PAYMENT, H)])
    none_counted = benefits.estimate(session, declined, rate_book, dt.date(2025, 6, 4))
    assert (none_counted.week.with_in_kind, none_counted.week.not_counted) == (Decimal("0"), Decimal("180.00"))
    assert none_counted.warnings == []


def test_benefit_figures_come_from_the_rate_cards_with_sources(rate_book):
    figures = benefits.figures_on(rate_book, dt.date(2026, 5, 1))
    higher = figures[benefits.ESA_HIGHER]
    assert higher.amount == Decimal("203.50") and higher.status == "unconfirmed"  # an honest estimate, labelled
    assert figures[benefits.UC_TAPER].amount == Decimal("55") and figures[benefits.UC_TAPER].url.startswith("https://")


def test_a_reversed_claim_approved_again_is_settled_again_by_the_choice_then(session, rate_book):
    # Vouchers given for £80, the claim reversed (a mistake: 2 h, not 3 h), corrected to
    # 2 h + 1 h prep at £20 = £60, approved again, and given as a donation (a change of mind).
    project = build_project(session, {"Kit": Reciprocity.NOT_CHOSEN})
    kit = _person(session, "Kit")
    choices.record_choice(session, kit, [Part(Reciprocity.VOUCHERS, H, "Tesco")], user_id=None)
    approve_all(session, project, rate_book)
    settlement.settle_in_kind(session, project.id, None)
    time_claim = _time_claim(session, kit)
    claims.reverse_claim(session, time_claim.id, "Wrong hours", None)
    attendance = session.scalar(select(Attendance).where(Attendance.person_id == kit.id))
    attendance.hours = Decimal("2")
    session.flush()
    choices.record_choice(session, kit, [Part(Reciprocity.DONATION, H, "SAMH")], user_id=None)
    approve_all(session, project, rate_book)
    result = settlement.settle_in_kind(session, project.id, None)
    assert result.settled[Reciprocity.DONATION] == Decimal("60.00")
    assert (time_claim.amount, time_claim.settled_as) == (Decimal("60.00"), Reciprocity.DONATION)
    row = balances.person_balance(session, kit.id)
    assert (row.in_kind, row.owed) == (Decimal("60.00"), Decimal("6.40"))  # the £80 of vouchers was reversed



def test_benefits_estimate_by_an_assessment_period_the_person_gives(session, rate_book):
    # Assessment periods starting on the 15th: 4 June 2025 is in 15 May to 14 June, which holds the
    # £180 paid on 6 June but not the £604 paid on 27 June. With the £684 work allowance nothing is tapered.
    person = _june_2025(session, rate_book, [Part(Reciprocity.BANK_TRANSFER, H)])
    estimate = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4), period_starts_on=15)
    assert (estimate.month_start, estimate.month_end) == (dt.date(2025, 5, 15), dt.date(2025, 6, 14))
    assert estimate.month.money == Decimal("180.00")
    assert estimate.taper[0].reduction == Decimal("0.00")
    # 27 June is in 15 June to 14 July: £604; (604 − 411) × 55% = 193 × 0.55 = £106.15.
    later = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 20), period_starts_on=15)
    assert later.month.money == Decimal("604.00") and later.taper[1].reduction == Decimal("106.15")
    assert later.bunched == []  # each payment followed its own sessions


def test_one_payment_for_several_sessions_counts_in_the_period_it_is_paid(session, rate_book):
    """Before issue 18 pay was counted by session date. Universal Credit counts it when received (reg 54).

    The same three sessions (£180 on 3 and 5 June, £604 on 20 June), all paid in one batch on 16 June, with
    assessment periods from the 15th: the period 15 May to 14 June now holds nothing (by session date it held
    £180) and 15 June to 14 July holds all £784: (784 − 411) × 55% = £205.15, not £106.15. The page warns.
    """
    person = _june_2025(session, rate_book, [Part(Reciprocity.BANK_TRANSFER, H)], one_payment_on=dt.date(2025, 6, 16))
    before = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4), period_starts_on=15)
    assert before.month.money == Decimal("0") and before.bunched == []
    after = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 20), period_starts_on=15)
    assert after.month.money == Decimal("784.00") and after.taper[1].reduction == Decimal("205.15")
    (bunched,) = after.bunched
    assert (bunched.day, sorted(bunched.sessions)) == (dt.date(2025, 6, 16),
                                                       [dt.date(2025, 6, 3), dt.date(2025, 6, 5), dt.date(2025, 6, 20)])


def test_what_is_waiting_counts_on_the_soonest_day_it_could_arrive(session, rate_book):
    """Approved on 2 June 2025, not paid: expected "today" (here 10 June 2025), so it is in June's estimate."""
    person = Person(name="Waiting Wren")
    session.add(person)
    session.flush()
    choices.record_choice(session, person, [Part(Reciprocity.BANK_TRANSFER, H)], user_id=None)
    project, role = _hourly_project(session, person)
    _session_on(session, project, role, person, dt.date(2025, 5, 30), "5")
    claims.sync_claims(session, rate_book, project_id=project.id)
    claims.approve(session, [c.id for c in claims.claims_waiting(session, project.id)], user_id=None,
                   posted_on=dt.date(2025, 6, 2))
    june = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 10), today=dt.date(2025, 6, 10))
    assert june.month.money == Decimal("100.00") and [p.expected for p in june.payments] == [True]
    may = benefits.estimate(session, person, rate_book, dt.date(2025, 5, 30), today=dt.date(2025, 6, 10))
    assert may.month.money == Decimal("0")  # by session date it would have been £100 in May


def test_esa_permitted_work_hours_reach_16_in_a_week(session, rate_book):
    """ESA permitted work is for under 16 hours a week, preparation and travel included."""
    person = Person(name="Hours Hana")
    session.add(person)
    session.flush()
    project, role = _hourly_project(session, person)
    meeting = Meeting(project=project, date=dt.date(2025, 6, 3), title="Long day", hours=Decimal("10"))
    session.add(meeting)
    session.add(Attendance(meeting=meeting, person=person, role=role, hours=Decimal("10"), prep_hours=Decimal("4"),
                           travel_hours=Decimal("1.5")))
    session.flush()
    week = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4))
    assert week.week_hours == Decimal("15.5") and not week.esa_hours_reached  # 15.5 h: under 16
    _session_on(session, project, role, person, dt.date(2025, 6, 5), "0.5")
    week = benefits.estimate(session, person, rate_book, dt.date(2025, 6, 4))
    assert week.week_hours == Decimal("16.0") and week.esa_hours_reached


@pytest.mark.parametrize("day, starts_on, period", [
    (dt.date(2025, 6, 4), None, (dt.date(2025, 6, 1), dt.date(2025, 6, 30))),
    (dt.date(2025, 3, 1), 31, (dt.date(2025, 2, 28), dt.date(2025, 3, 30))),  # a claim made on the 31st
    (dt.date(2025, 1, 31), 31, (dt.date(2025, 1, 31), dt.date(2025, 2, 27))),
    (dt.date(2025, 12, 20), 15, (dt.date(2025, 12, 15), dt.date(2026, 1, 14))),
])
def test_assessment_periods_follow_the_day_the_claim_started(day, starts_on, period):
    assert benefits.assessment_period(day, starts_on) == period


def test_choices_in_force_for_many_people_match_one_at_a_time(session):
    ann, bea, cal, dee = (Person(name=name) for name in ("Ann", "Bea", "Cal", "Dee"))
    session.add_all([ann, bea, cal, dee])
    session.flush()
    choices.record_choice(session, ann, [Part(Reciprocity.VOUCHERS, Decimal("100"), "Tesco")], user_id=None)
    choices.record_choice(session, ann, [Part(Reciprocity.BANK_TRANSFER, Decimal("60")),
                                         Part(Reciprocity.DONATION, Decimal("40"), "Mind")], user_id=None)
    choices.record_choice(session, bea, [Part(Reciprocity.TRAINING, Decimal("100"))], user_id=None)
    bea.reciprocity = Reciprocity.NO_PAYMENT  # changed since by a workbook import
    cal.reciprocity = Reciprocity.CHEQUE  # only ever set by an import
    session.flush()
    together = choices.current_choices(session, [ann, bea, cal, dee])
    assert together == {p.id: choices.current_choice(session, p) for p in (ann, bea, cal, dee)}
    assert together[ann.id].summary == Reciprocity.SPLIT and together[bea.id].summary == Reciprocity.NO_PAYMENT
    assert not together[dee.id].chosen
