"""Accounts: who can sign in, what they may do, and the audit log of what they did."""
