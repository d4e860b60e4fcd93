"""The organisation's account codes for the accounting import files."""

from __future__ import annotations

from sqlalchemy import select

from remun.ledger.models import PaymentBatch
from remun.organisation.settings import change_setting
from remun.project_records.models import Project


CODES = {"code_time": "5100", "code_expenses": "5110", "code_vouchers": "5120", "code_training": "5130",
         "code_donation": "5140", "tax_type": "No VAT", "tracking_name": "Cost centre"}


def set_codes(session, codes=CODES) -> None:
    for field, value in codes.items():
        change_setting(session, f"accounting.{field}", value, by_user_id=None)


def load_demo_project(session, rate_book) -> Project:
    from remun.project_records.demo import load_demo
    from remun.ledger.demo import load_demo_ledger
    from remun.reciprocity.demo import record_demo_choices

    project = load_demo(session, rate_book)
    session.flush()
    record_demo_choices(session, project)
    load_demo_ledger(session, rate_book, project)
    session.commit()
    return project


def demo_batch(session, project) -> PaymentBatch:
    return session.scalars(select(PaymentBatch).where(PaymentBatch.project_id == project.id)
                           .order_by(PaymentBatch.id)).first()
