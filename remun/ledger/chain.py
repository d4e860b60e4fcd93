"""The hash chain that makes tampering visible.

Each transaction's hash covers its own facts, its postings and the previous
transaction's hash, so changing an amount, removing a posting or removing a
whole transaction breaks the chain from that point on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal

GENESIS = "0" * 64


def _when(moment: dt.datetime) -> str:
    # SQLite gives back naive datetimes and PostgreSQL aware ones: both are UTC here.
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def transaction_hash(
    *,
    sequence: int,
    project_id: int,
    kind: str,
    posted_on: dt.date,
    created_at: dt.datetime,
    created_by_id: int | None,
    description: str,
    reason: str | None,
    claim_id: int | None,
    batch_id: int | None,
    reverses_id: int | None,
    previous_hash: str,
    postings: list[tuple[str, int, int | None, Decimal]],
    key: bytes | None = None,
) -> str:
    """A hash over a canonical text of the transaction and its postings (in a fixed order).

    With ``key``: HMAC-SHA256 (chain version 2), which only the key's holder can compute.
    Without: SHA-256 (chain version 1, transactions recorded before the ledger had a key).
    """
    lines = [
        str(sequence), str(project_id), kind, posted_on.isoformat(), _when(created_at),
        str(created_by_id), description, str(reason), str(claim_id), str(batch_id), str(reverses_id),
        previous_hash,
    ]
    for account, posting_project, person_id, amount in sorted(
        postings, key=lambda p: (p[0], p[1], p[2] or 0, _amount(p[3]))
    ):
        lines.append(f"{account}|{posting_project}|{person_id}|{_amount(amount)}")
    text = "\n".join(lines).encode("utf-8")
    if key is not None:
        return hmac.new(key, b"remun-ledger-v2\n" + text, hashlib.sha256).hexdigest()
    return hashlib.sha256(text).hexdigest()
