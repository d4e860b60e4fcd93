"""Every term Remun uses, each explained in one plain sentence (no Flask here).

The words are marked with ``N_`` for the translators and translated when a
page is shown. ``slug`` is the term's address on the glossary page
(``/glossary#reciprocity``); pages link a term where it first appears.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:  # noqa: N802  (Babel's marker: translate later)
    return message


@dataclass(frozen=True)
class Term:
    slug: str
    #: The term as pages write it (lower case unless it is a name).
    term: str
    #: One plain sentence.
    meaning: str
    #: Linked where it first appears on a page. Everyday words (role, session) are
    #: explained here but not linked everywhere, so the links stay useful.
    linked: bool = True


TERMS: tuple[Term, ...] = (
    Term("accrual", N_("accrual"),
         N_("Money we owe for work that has been done but not paid yet, counted so the budget shows it.")),
    Term("agenda-for-change", N_("Agenda for Change"),
         N_("The NHS pay scale, with bands, that sets what many NHS staff are paid.")),
    Term("appointment", N_("appointment"),
         N_("A person's place in a role, from the day they start to the day they stop."), linked=False),
    Term("approval", N_("approval"),
         N_("When a project lead checks a claim and agrees it is right, so it can be paid."), linked=False),
    Term("audit-log", N_("audit log"),
         N_("A record, which nobody can change, of who looked at or changed something, and when.")),
    Term("batch", N_("payment batch"),
         N_("A group of payments that finance sends to the bank together, each paid only once.")),
    Term("budget", N_("budget"),
         N_("A plan of how much a project will cost and how much money it has."), linked=False),
    Term("claim", N_("claim"),
         N_("A request to be paid for time given or money spent, which a lead then checks.")),
    Term("carer", N_("carer"),
         N_("Someone who looks after a family member or friend, and brings what they know to a project."),
         linked=False),
    Term("closed-month", N_("closed month"),
         N_("A month whose accounts are finished, so nothing in it can change any more.")),
    Term("co-production", N_("co-production"),
         N_("Staff and people with lived experience plan and run something together, as equals.")),
    Term("comparator", N_("comparator"),
         N_("The best-paid staff role in an equal role, which other roles are checked against.")),
    Term("contingency", N_("contingency"),
         N_("Money kept aside in a budget for costs nobody can see coming.")),
    Term("cost-centre", N_("cost centre"),
         N_("The code finance uses to know which budget pays for something.")),
    Term("credit", N_("credit"),
         N_("A ledger entry that adds to what is owed to someone, or shows money going out."), linked=False),
    Term("debit", N_("debit"),
         N_("A ledger entry that takes away from what is owed, or shows a cost."), linked=False),
    Term("declined", N_("declined"),
         N_("When someone chooses not to take a payment they are owed, which is always fine."), linked=False),
    Term("donation", N_("donation"),
         N_("Money someone asks us to give to a charity instead of paying it to them.")),
    Term("equal-role", N_("equal role"),
         N_("A group of roles that do the same job, so they should get the same pay.")),
    Term("expenses", N_("expenses"),
         N_("Money someone spent to take part, such as bus fares or childcare, which is paid back."), linked=False),
    Term("export", N_("export"),
         N_("A file you can download, for example a spreadsheet for finance."), linked=False),
    Term("fair-option", N_("fair option"),
         N_("A budget plan that pays people with lived experience the same for each hour as the staff beside them.")),
    Term("hourly-rate", N_("hourly rate"),
         N_("How much someone is paid for each hour of work."), linked=False),
    Term("in-kind", N_("in kind"),
         N_("Thanks given as something other than money, such as a voucher or training.")),
    Term("ledger", N_("ledger"),
         N_("The list of every amount owed and paid, which is never rubbed out, only added to.")),
    Term("lived-experience", N_("lived experience"),
         N_("Knowing about something, such as mental ill health, because it has happened to you.")),
    Term("parity", N_("parity"),
         N_("Being paid the same as others who do the same job.")),
    Term("pay-gap", N_("pay gap"),
         N_("How much less one group is paid for each hour than another group.")),
    Term("pay-terms", N_("pay terms"),
         N_("How a role is paid: the rate, and which hours count, from a given date.")),
    Term("payee-reference", N_("payee reference"),
         N_("The number finance uses to find the right person when they pay them.")),
    Term("posting", N_("posting"),
         N_("One line written in the ledger."), linked=False),
    Term("participant", N_("participant"),
         N_("Someone with lived experience who takes part in a project and is thanked for their time."),
         linked=False),
    Term("preparation", N_("preparation"),
         N_("Time spent getting ready for a session, such as reading papers, which is paid too."), linked=False),
    Term("project-lead", N_("project lead"),
         N_("The person who runs a project in Remun and checks claims."), linked=False),
    Term("rate-card", N_("rate card"),
         N_("A published list of pay rates, such as a pay scale, that roles can use.")),
    Term("real-living-wage", N_("Real Living Wage"),
         N_("The lowest hourly pay the Living Wage Foundation says people need to live on.")),
    Term("reciprocity", N_("reciprocity"),
         N_("How you would like to be thanked for your time: money, a voucher, training, a gift to charity, or nothing.")),
    Term("receipt", N_("receipt"),
         N_("A slip or photo that shows what you paid for something."), linked=False),
    Term("reversal", N_("reversal"),
         N_("A new ledger entry that cancels a mistake, so the mistake stays on record but no longer counts.")),
    Term("role", N_("role"),
         N_("A job someone does in a project, such as co-chair or panel member."), linked=False),
    Term("session", N_("session"),
         N_("A meeting or piece of work that people take part in and are paid for."), linked=False),
    Term("session-fee", N_("session fee"),
         N_("A set amount paid for a whole session, whatever its length.")),
    Term("statement", N_("statement"),
         N_("A page that shows what you have been paid and what you are still owed."), linked=False),
    Term("travel-time", N_("travel time"),
         N_("Time spent getting to and from a session, which is paid too."), linked=False),
    Term("universal-credit", N_("Universal Credit"),
         N_("A benefit that helps with living costs, which can go down when you earn more.")),
    Term("voucher", N_("voucher"),
         N_("A card or code you can spend in a shop instead of getting money."), linked=False),
    Term("work-allowance", N_("work allowance"),
         N_("How much some people can earn before their Universal Credit starts to go down.")),
)

BY_SLUG = {term.slug: term for term in TERMS}
