"""Tests of remun/budget/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
