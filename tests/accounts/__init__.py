"""Tests of remun/accounts/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
