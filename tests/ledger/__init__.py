"""Tests of remun/ledger/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
