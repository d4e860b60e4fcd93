"""A realistic organisation, written in bulk: projects, roles, people, sessions, claims and a chained ledger.

Used by ``bench/generate`` (the command) and by tests/web/test_query_counts.py (at
tiny scales). The default scale is a whole health board: 300 projects, 5,000
people, 30,000 sessions and about 1,000,000 postings; ``scale`` multiplies all
four.

Every project has the same four roles in two equal-role groups (a lived-
experience co-chair on a flat fee beside a salaried clinical co-chair; panel
members paid by the hour, with a rise part-way through, beside a salaried
service manager). Sessions are spread over the three years before ``today``.
Each paid attendance becomes a time claim (some also an expenses claim):
the newest are waiting for approval, the next are approved and owed, and the
rest are settled by each person's choice: paid by bank in a monthly batch,
given in kind, or declined.

Rows are added, never changed: PostgreSQL gets COPY, SQLite executemany. The
ledger continues the hash chain from ledger_head (real SHA-256 hashes,
consecutive sequences) and moves the head once at the end, so
``remun verify`` passes afterwards. Ids continue from each table's largest,
so it can add to a database that already holds data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, text

from remun.project_records.enums import PayBasis, Reciprocity, RoleKind
from remun.ledger.chain import transaction_hash
from remun.pay.terms import PayTerms, paid_hours, pay_for_attendance

DEFAULT_PROJECTS = 300
DEFAULT_PEOPLE = 5_000
DEFAULT_SESSIONS = 30_000
DEFAULT_POSTINGS = 1_000_000

#: The tables written, in an order that keeps every foreign key satisfied.
TABLES: dict[str, tuple[str, ...]] = {
    "projects": ("id", "name", "cost_centre", "currency", "start_date", "end_date", "created_at"),
    "role_groups": ("id", "project_id", "name", "description"),
    "roles": ("id", "project_id", "group_id", "title", "kind"),
    "role_terms": ("id", "role_id", "effective_from", "basis", "rate", "rate_card_ref", "session_hours", "prep_hours",
                   "prep_paid", "travel_hours", "travel_paid"),
    "people": ("id", "name", "email", "preferred_language", "payee_reference", "reciprocity", "created_at"),
    "appointments": ("id", "person_id", "role_id", "start_date", "end_date"),
    "meetings": ("id", "project_id", "date", "title", "hours"),
    "attendances": ("id", "meeting_id", "person_id", "role_id", "hours", "prep_hours", "travel_hours"),
    "expenses": ("id", "attendance_id", "amount", "category", "note"),
    "payment_batches": ("id", "project_id", "status", "created_at", "paid_at", "total", "payees"),
    "claims": ("id", "attendance_id", "person_id", "project_id", "kind", "status", "amount", "basis", "rate",
               "rate_card_ref", "hours", "prep_hours", "travel_hours", "paid_hours", "submitted_at", "decided_at",
               "settled_as", "settled_at"),
    "batch_items": ("id", "batch_id", "claim_id", "person_id", "amount"),
    "ledger_transactions": ("id", "sequence", "project_id", "kind", "posted_on", "created_at", "description", "reason",
                            "claim_id", "batch_id", "reverses_id", "previous_hash", "hash"),
    "postings": ("id", "transaction_id", "account", "project_id", "person_id", "amount"),
}


@dataclass(frozen=True)
class Scale:
    projects: int = DEFAULT_PROJECTS
    people: int = DEFAULT_PEOPLE
    sessions: int = DEFAULT_SESSIONS
    postings: int = DEFAULT_POSTINGS

    @classmethod
    def of(cls, factor: float) -> Scale:
        return cls(max(1, round(DEFAULT_PROJECTS * factor)), max(20, round(DEFAULT_PEOPLE * factor)),
                   max(1, round(DEFAULT_SESSIONS * factor)), max(40, round(DEFAULT_POSTINGS * factor)))


@dataclass(frozen=True)
class RoleSpec:
    title: str
    kind: RoleKind
    group: str
    basis: PayBasis
    rate: Decimal
    session_hours: Decimal
    prep_hours: Decimal
    prep_paid: bool
    travel_hours: Decimal
    travel_paid: bool
    #: A later rate, from half-way through the project (None: unchanged).
    rise_to: Decimal | None = None

    def terms(self, rate: Decimal | None = None) -> PayTerms:
        return PayTerms(basis=self.basis, rate=rate or self.rate, session_hours=self.session_hours,
                        prep_hours=self.prep_hours, prep_paid=self.prep_paid, travel_hours=self.travel_hours,
                        travel_paid=self.travel_paid)


H = Decimal
ROLES = (
    RoleSpec("Lived experience co-chair", RoleKind.LIVED_EXPERIENCE, "Co-chairs", PayBasis.SESSION, H("75.00"),
             H("3"), H("2"), False, H("1"), False),
    RoleSpec("Clinical co-chair", RoleKind.CLINICAL, "Co-chairs", PayBasis.SALARY, H("32.50"),
             H("3"), H("2"), True, H("1"), True),
    RoleSpec("Panel member", RoleKind.LIVED_EXPERIENCE, "Panel", PayBasis.HOUR, H("25.00"),
             H("2.5"), H("1"), True, H("1"), False, rise_to=H("27.00")),
    RoleSpec("Service manager", RoleKind.PROFESSIONAL, "Panel", PayBasis.SALARY, H("28.00"),
             H("2.5"), H("1"), True, H("1"), True),
)
CO_CHAIR, CLINICAL, PANEL, MANAGER = range(4)
SALARIED = {CLINICAL, MANAGER}
FIRST = ("Aileen", "Bogdan", "Catriona", "Deepa", "Eilidh", "Fraser", "Gráinne", "Hamish", "Iona", "Jakub", "Kirsty",
         "Lachlan", "Morag", "Niamh", "Oluwaseun", "Parveen", "Ruaridh", "Siobhán", "Tomasz", "Una", "Wiktoria", "Zofia")
LAST = ("MacDonald", "Nowak", "Campbell", "Ó Súilleabháin", "Khan", "Stewart", "Wiśniewska", "Fraser", "Mackenzie",
        "Okafor", "Robertson", "Patel", "Grant", "Kowalski", "Murray", "Ní Bhriain", "Thomson", "Chaudhry")
CHOICES = ((Reciprocity.BANK_TRANSFER, 78), (Reciprocity.VOUCHERS, 8), (Reciprocity.TRAINING, 3),
           (Reciprocity.DONATION, 3), (Reciprocity.NO_PAYMENT, 3), (Reciprocity.NOT_CHOSEN, 5))
IN_KIND_ACCOUNT = {Reciprocity.VOUCHERS: "vouchers", Reciprocity.TRAINING: "training",
                   Reciprocity.DONATION: "donations"}
#: Shares of the newest sessions whose claims are still waiting, and approved but not yet settled.
WAITING_SHARE, OWED_SHARE = 0.02, 0.03
EXPENSE_SHARE = 0.10
YEARS = 3


@dataclass
class Counts:
    projects: int = 0
    people: int = 0
    sessions: int = 0
    attendances: int = 0
    claims: int = 0
    transactions: int = 0
    postings: int = 0


class BulkWriter:
    """Buffers rows per table and writes them in foreign-key order: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection: Connection, chunk: int = 20_000):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.chunk = chunk
        self.buffers: dict[str, list[tuple]] = {table: [] for table in TABLES}

    def add(self, table: str, row: tuple) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.buffers.items():
            if rows:
                self._write(table, TABLES[table], rows)
                rows.clear()

    def _write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if self.postgres:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", [tuple(map(_sqlite, row)) for row in rows])


def _sqlite(value):
    """Values as SQLAlchemy's SQLite types store them (text dates, naive UTC times, numbers as text)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _next_ids(connection: Connection) -> dict[str, int]:
    return {table: connection.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).scalar_one() + 1
            for table in TABLES}


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def generate(connection: Connection, scale: Scale = Scale(), *, today: dt.date | None = None, seed: int = 2026,
             progress=None) -> Counts:
    """Write an organisation of ``scale`` through ``connection`` (inside the caller's transaction)."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    start = today - dt.timedelta(days=365 * YEARS)
    ids = _next_ids(connection)
    sequence, last_hash = connection.execute(text("SELECT sequence, last_hash FROM ledger_head WHERE id = 1")).one()
    writer = BulkWriter(connection)
    counts = Counts(projects=scale.projects, people=scale.people, sessions=scale.sessions)
    made = _noon(start)

    def new_id(table: str) -> int:
        value = ids[table]
        ids[table] = value + 1
        return value

    # People, each with a standing choice of how to be paid.
    choices, weights = zip(*CHOICES)
    people = []
    for i in range(scale.people):
        person_id = new_id("people")
        choice = rng.choices(choices, weights)[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {person_id}"
        writer.add("people", (person_id, name, f"person{person_id}@example.org", "en", f"SUP{person_id:07d}",
                              choice.value, made))
        people.append((person_id, choice))

    # Paid attendances per session, so the postings come to about the target (four per claim, plus expenses).
    per_claim = 4 * (1 + EXPENSE_SHARE) * (1 - WAITING_SHARE) - 2 * OWED_SHARE
    paid_per_session = max(1.0, scale.postings / per_claim / max(scale.sessions, 1))
    panel_size = max(2, round(paid_per_session * 2))
    sessions_left = scale.sessions
    span_days = (today - start).days

    for p in range(scale.projects):
        project_id = new_id("projects")
        writer.add("projects", (project_id, f"Project {project_id:04d}: {rng.choice(('Crisis care', 'Perinatal', 'Eating disorders', 'Dementia', 'Recovery college', 'CAMHS', 'Peer support', 'Housing first'))}",
                                f"CC-{1000 + project_id}", "GBP", start, None, made))
        groups = {}
        for name in ("Co-chairs", "Panel"):
            groups[name] = new_id("role_groups")
            writer.add("role_groups", (groups[name], project_id, name, None))
        role_ids, rise_on = [], start + dt.timedelta(days=span_days // 2)
        for spec in ROLES:
            role_id = new_id("roles")
            role_ids.append(role_id)
            writer.add("roles", (role_id, project_id, groups[spec.group], spec.title, spec.kind.value))
            for effective_from, rate in ((start, spec.rate), (rise_on, spec.rise_to)):
                if rate is None:
                    continue
                writer.add("role_terms", (new_id("role_terms"), role_id, effective_from, spec.basis.value, rate, None,
                                          spec.session_hours, spec.prep_hours, spec.prep_paid, spec.travel_hours,
                                          spec.travel_paid))
        # Who holds each role here.
        holders = {CO_CHAIR: [rng.choice(people)], CLINICAL: [rng.choice(people)],
                   PANEL: rng.sample(people, min(panel_size, len(people))), MANAGER: rng.sample(people, 2)}
        for role, members in holders.items():
            for person_id, _choice in {member[0]: member for member in members}.values():
                writer.add("appointments", (new_id("appointments"), person_id, role_ids[role], start, None))

        # Sessions, oldest first, spread over the three years.
        sessions = sessions_left // (scale.projects - p)
        sessions_left -= sessions
        days = sorted(start + dt.timedelta(days=rng.randrange(span_days)) for _ in range(sessions))
        batches: dict[dt.date, list] = {}  # month end -> bank settlements paid in that batch
        for index, day in enumerate(days):
            meeting_id = new_id("meetings")
            writer.add("meetings", (meeting_id, project_id, day, f"Session {index + 1}", H("3")))
            age = 1 - (index + 1) / sessions  # 0 for the newest
            stage = "waiting" if age < WAITING_SHARE else "owed" if age < WAITING_SHARE + OWED_SHARE else "settled"
            attendees = [(CO_CHAIR, holders[CO_CHAIR][0]), (CLINICAL, holders[CLINICAL][0]),
                         (MANAGER, rng.choice(holders[MANAGER]))]
            want = max(0, round(rng.gauss(paid_per_session - 1, 1)))
            attendees += [(PANEL, member) for member in rng.sample(holders[PANEL], min(want, len(holders[PANEL])))]
            seen = set()
            for role, (person_id, choice) in attendees:
                if person_id in seen:  # one attendance per person per session
                    continue
                seen.add(person_id)
                spec = ROLES[role]
                attendance_id = new_id("attendances")
                writer.add("attendances", (attendance_id, meeting_id, person_id, role_ids[role], spec.session_hours,
                                           spec.prep_hours, spec.travel_hours))
                counts.attendances += 1
                if role in SALARIED:
                    continue  # staff are paid by their employer: no claims
                rate = spec.rise_to if spec.rise_to and day >= rise_on else spec.rate
                terms = spec.terms(rate)
                amount = pay_for_attendance(terms, spec.session_hours, spec.prep_hours, spec.travel_hours)
                claims = [("time", amount, {"basis": spec.basis.value, "rate": rate, "hours": spec.session_hours,
                                            "prep_hours": spec.prep_hours, "travel_hours": spec.travel_hours,
                                            "paid_hours": paid_hours(terms)})]
                if rng.random() < EXPENSE_SHARE:
                    cost = H(rng.randrange(350, 4200)) / 100
                    writer.add("expenses", (new_id("expenses"), attendance_id, cost, "travel", None))
                    claims.append(("expenses", cost, {}))
                for kind, value, facts in claims:
                    sequence, last_hash = _claim(writer, new_id, counts, batches, project_id, attendance_id, person_id,
                                                 choice, day, stage, kind, value, facts, sequence, last_hash)
        paid_batches = [_batch(writer, new_id, project_id, month_end, items)
                         for month_end, items in sorted(batches.items())]
        for batch_id, items, paid_on in paid_batches:
            for claim_id, person_id, value in items:
                sequence, last_hash = _post(writer, new_id, counts, sequence, last_hash, project_id, "settlement",
                                            paid_on, f"Claim {claim_id}: paid by bank in batch {batch_id}", claim_id,
                                            batch_id, [("owed", person_id, value), ("bank", person_id, -value)])
        if progress and (p + 1) % max(1, scale.projects // 20) == 0:
            writer.flush()
            progress(p + 1, counts)
    writer.flush()
    connection.execute(text("UPDATE payment_batches SET status = 'paid' WHERE status = 'open' AND paid_at IS NOT NULL"))
    connection.execute(text("UPDATE ledger_head SET sequence = :sequence, last_hash = :hash WHERE id = 1"),
                       {"sequence": sequence, "hash": last_hash})
    if writer.postgres:  # COPY with explicit ids leaves the id sequences behind
        for table in TABLES:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    return counts


def _claim(writer, new_id, counts, batches, project_id, attendance_id, person_id, choice, day, stage, kind, value,
           facts, sequence, last_hash):
    claim_id = new_id("claims")
    counts.claims += 1
    submitted = _noon(day + dt.timedelta(days=1))
    decided = None if stage == "waiting" else _noon(day + dt.timedelta(days=7))
    settles = stage == "settled" and choice != Reciprocity.NOT_CHOSEN
    # Expenses are always repaid as money; time goes by the person's choice.
    how = Reciprocity.BANK_TRANSFER if kind == "expenses" else choice
    settled_on = _month_end(day + dt.timedelta(days=7))
    settled_at = _noon(settled_on) if settles and how != Reciprocity.BANK_TRANSFER else None
    writer.add("claims", (claim_id, attendance_id, person_id, project_id, kind,
                          "submitted" if stage == "waiting" else "approved", value, facts.get("basis"),
                          facts.get("rate"), None, facts.get("hours"), facts.get("prep_hours"),
                          facts.get("travel_hours"), facts.get("paid_hours"), submitted, decided,
                          how.value if settled_at else None, settled_at))
    if stage == "waiting":
        return sequence, last_hash
    cost = "project_cost_time" if kind == "time" else "project_cost_expenses"
    sequence, last_hash = _post(writer, new_id, counts, sequence, last_hash, project_id, "accrual",
                                day + dt.timedelta(days=7), f"Claim {claim_id}: {kind} approved", claim_id, None,
                                [(cost, None, value), ("owed", person_id, -value)])
    if not settles:
        return sequence, last_hash
    if how == Reciprocity.BANK_TRANSFER:
        batches.setdefault(settled_on, []).append((claim_id, person_id, value))
    elif how == Reciprocity.NO_PAYMENT:
        sequence, last_hash = _post(writer, new_id, counts, sequence, last_hash, project_id, "declined", settled_on,
                                    f"Claim {claim_id}: payment declined", claim_id, None,
                                    [("owed", person_id, value), ("project_cost_time", None, -value),
                                     ("declined", person_id, value), ("declined_offset", person_id, -value)])
    else:
        sequence, last_hash = _post(writer, new_id, counts, sequence, last_hash, project_id, "settlement", settled_on,
                                    f"Claim {claim_id}: given as {how.value}", claim_id, None,
                                    [("owed", person_id, value), (IN_KIND_ACCOUNT[how], person_id, -value)])
    return sequence, last_hash


def _batch(writer, new_id, project_id, month_end, items) -> tuple:
    """A paid monthly batch; its settlements are posted after the project's claims (see generate)."""
    batch_id = new_id("payment_batches")
    paid = _noon(month_end)
    total = sum((value for _c, _p, value in items), Decimal("0"))
    # Written open and marked paid once its items are in (see generate): a paid batch's items are fixed (0010).
    writer.add("payment_batches", (batch_id, project_id, "open", paid, paid, total,
                                   len({person for _c, person, _v in items})))
    for claim_id, person_id, value in items:
        writer.add("batch_items", (new_id("batch_items"), batch_id, claim_id, person_id, value))
    return batch_id, items, month_end


def _post(writer, new_id, counts, sequence, previous_hash, project_id, kind, posted_on, description, claim_id,
          batch_id, lines):
    sequence += 1
    transaction_id = new_id("ledger_transactions")
    created_at = _noon(posted_on)
    digest = transaction_hash(
        sequence=sequence, project_id=project_id, kind=kind, posted_on=posted_on, created_at=created_at,
        created_by_id=None, description=description, reason=None, claim_id=claim_id, batch_id=batch_id,
        reverses_id=None, previous_hash=previous_hash,
        postings=[(account, project_id, person_id, amount) for account, person_id, amount in lines])
    writer.add("ledger_transactions", (transaction_id, sequence, project_id, kind, posted_on, created_at, description,
                                       None, claim_id, batch_id, None, previous_hash, digest))
    for account, person_id, amount in lines:
        writer.add("postings", (new_id("postings"), transaction_id, account, project_id, person_id, amount))
    counts.transactions += 1
    counts.postings += len(lines)
    return sequence, digest
