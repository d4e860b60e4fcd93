"""Tests of remun/organisation/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
