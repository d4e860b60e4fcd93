"""Receipts for expenses: a photo (PNG or JPEG) or a PDF, checked and stored under instance/receipts.

The file's own first bytes must match the type it claims, it must be small
enough, and it is stored under a random name, never the uploaded one, outside
the static folder so only people allowed to see it can download it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy.orm import Session

from remun.project_records.models import Expense
from remun.reciprocity.models import Receipt

#: Largest receipt accepted: a phone photo fits easily.
MAX_BYTES = 5 * 1024 * 1024
#: Type -> (what the file must start with, extension).
SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "application/pdf": (b"%PDF-", "pdf"),
}


class ReceiptProblem(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def folder(instance_path: Path | str) -> Path:
    return Path(instance_path) / "receipts"


def check(data: bytes, content_type: str | None) -> str:
    """The receipt's real type, or ReceiptProblem: empty, too big, or not a PNG, JPEG or PDF."""
    if not data:
        raise ReceiptProblem("empty")
    if len(data) > MAX_BYTES:
        raise ReceiptProblem("too_big")
    claimed = (content_type or "").split(";")[0].strip().lower()
    for kind, (signature, _) in SIGNATURES.items():
        if data.startswith(signature):
            if claimed and claimed != kind and not (claimed == "image/jpg" and kind == "image/jpeg"):
                raise ReceiptProblem("wrong_type")
            return kind
    raise ReceiptProblem("wrong_type")


def store(session: Session, expense: Expense, data: bytes, content_type: str | None, original_name: str | None,
          instance_path: Path | str, user_id: int | None) -> Receipt:
    """Check and save a receipt for an expense. The file is written before the row, in the same request."""
    kind = check(data, content_type)
    name = f"{secrets.token_hex(16)}.{SIGNATURES[kind][1]}"
    target = folder(instance_path)
    target.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(data)
    receipt = Receipt(stored_name=name, original_name=(original_name or "")[:200] or None, content_type=kind,
                      size=len(data), uploaded_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
                      uploaded_by_id=user_id)
    receipt.expense_id = expense.id
    session.add(receipt)
    return receipt


def path_of(receipt: Receipt, instance_path: Path | str) -> Path:
    return folder(instance_path) / receipt.stored_name
