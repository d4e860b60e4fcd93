"""Parity: the rules, the comparator basis, what was paid from the ledger, the
project and organisation report (and its cache) and the pay gap. No Flask here."""
