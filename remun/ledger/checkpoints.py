"""Checkpoints of the ledger head, kept outside the database.

The database owner can rewind or rewrite the hash chain and leave it looking whole.
A checkpoint (sequence number and hash of the newest transaction, and when it was
seen) written to an append-only file outside the database lets `remun verify` and a
restore notice that: the chain must still contain every checkpoint it ever had.
A checkpoint also names the months closed and the payment batches paid by then, which
only ever grow: a closed month reopened, or a paid batch set back to open, by someone
who can bypass the database's own guards is noticed the same way.
One JSON object a line, so the file can be appended to and read without a parser of
its own; lines that cannot be read are reported, never silently skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "ledger-checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    head_hash: str
    recorded_at: dt.datetime
    #: Months closed when the checkpoint was recorded (first days, ISO dates).
    closed_months: tuple[str, ...] = ()
    #: Payment batches marked paid when the checkpoint was recorded.
    paid_batches: tuple[int, ...] = ()


def checkpoint_path(instance_folder: Path) -> Path:
    """Where the checkpoints of the instance in ``instance_folder`` are kept."""
    return Path(os.environ.get("REMUN_CHECKPOINT_FILE", instance_folder / FILE_NAME))


def record_checkpoint(path: Path, sequence: int, head_hash: str, at: dt.datetime | None = None, *,
                      closed_months: tuple[str, ...] = (), paid_batches: tuple[int, ...] = ()) -> Checkpoint:
    """Append a checkpoint (the file is only ever appended to)."""
    checkpoint = Checkpoint(sequence, head_hash, at or dt.datetime.now(dt.timezone.utc),
                            tuple(sorted(closed_months)), tuple(sorted(paid_batches)))
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"sequence": sequence, "hash": head_hash,
                       "at": checkpoint.recorded_at.isoformat(timespec="seconds"),
                       "closed_months": list(checkpoint.closed_months),
                       "paid_batches": list(checkpoint.paid_batches)}, sort_keys=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return checkpoint


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; an unreadable line raises ValueError naming it."""
    if not path.exists():
        return []
    checkpoints = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            checkpoints.append(Checkpoint(int(data["sequence"]), str(data["hash"]),
                                          dt.datetime.fromisoformat(data["at"]),
                                          tuple(str(month) for month in data.get("closed_months", ())),
                                          tuple(int(batch) for batch in data.get("paid_batches", ()))))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}, line {number}, is not a checkpoint: {error}") from error
    return checkpoints


def latest_checkpoint(path: Path) -> Checkpoint | None:
    checkpoints = read_checkpoints(path)
    return checkpoints[-1] if checkpoints else None
