"""Tests of remun/exports/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
