"""The organisation's account codes for the accounting import files."""

from __future__ import annotations

from remun.organisation.settings import change_setting


CODES = {"code_time": "5100", "code_expenses": "5110", "code_vouchers": "5120", "code_training": "5130",
         "code_donation": "5140", "tax_type": "No VAT", "tracking_name": "Cost centre"}


def set_codes(session, codes=CODES) -> None:
    for field, value in codes.items():
        change_setting(session, f"accounting.{field}", value, by_user_id=None)
