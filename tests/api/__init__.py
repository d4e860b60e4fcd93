"""Tests of remun/api/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
