"""The ledger: a double-entry, append-only record of what each person is owed, paid and given.

No Flask in this package. Every change to money goes through ``posting.post``,
which balances, chains and dates each transaction; balances are sums of postings.
"""
