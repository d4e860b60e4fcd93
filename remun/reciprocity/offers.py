"""What the organisation offers: ways to pay without a bank account, voucher providers, training.

Read from ``remun/reciprocity/offers.toml`` or the file named by REMUN_OFFERS_FILE,
so finance can match it to what they can really do without changing code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from remun.project_records.enums import Reciprocity
from remun.money import ZERO, round_money, to_decimal

DEFAULT_OFFERS = Path(__file__).with_name("offers.toml")


@dataclass(frozen=True)
class NoBankOption:
    method: Reciprocity
    name: str
    explanation: str


@dataclass(frozen=True)
class VoucherProvider:
    provider: str
    #: Largest first.
    denominations: tuple[Decimal, ...]


@dataclass(frozen=True)
class Offers:
    no_bank_account: tuple[NoBankOption, ...]
    vouchers: tuple[VoucherProvider, ...]
    training_explanation: str

    def voucher_provider(self, name: str | None) -> VoucherProvider | None:
        return next((provider for provider in self.vouchers if provider.provider == name), None)

    def no_bank_option(self, method: Reciprocity) -> NoBankOption | None:
        return next((option for option in self.no_bank_account if option.method == method), None)


class OffersError(ValueError):
    pass


def load_offers(path: Path | str | None = None) -> Offers:
    path = Path(path or os.environ.get("REMUN_OFFERS_FILE") or DEFAULT_OFFERS)
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    no_bank = []
    for raw in data.get("no_bank_account", []):
        method = Reciprocity(raw["method"])
        if method not in (Reciprocity.PAYMENT_CARD, Reciprocity.CHEQUE):
            raise OffersError(f"{path}: no_bank_account method must be payment_card or cheque, not {method}")
        no_bank.append(NoBankOption(method, raw["name"], raw.get("explanation", "")))
    vouchers = []
    for raw in data.get("vouchers", []):
        amounts = sorted((to_decimal(value) for value in raw["denominations"]), reverse=True)
        if not amounts or any(amount <= ZERO for amount in amounts):
            raise OffersError(f"{path}: {raw['provider']} needs denominations more than zero")
        vouchers.append(VoucherProvider(raw["provider"], tuple(amounts)))
    return Offers(tuple(no_bank), tuple(vouchers), data.get("training", {}).get("explanation", ""))


@dataclass(frozen=True)
class VoucherMakeUp:
    #: (denomination, how many), largest first.
    vouchers: tuple[tuple[Decimal, int], ...]
    #: What the denominations cannot make up: finance settles it with the person (never less value).
    left_over: Decimal


def make_up(amount: Decimal, provider: VoucherProvider) -> VoucherMakeUp:
    """Vouchers that make up an amount, largest first, and anything left over."""
    remaining = round_money(amount)
    counts = []
    for denomination in provider.denominations:
        count = int(remaining // denomination)
        if count:
            counts.append((denomination, count))
            remaining -= denomination * count
    return VoucherMakeUp(tuple(counts), round_money(remaining))
