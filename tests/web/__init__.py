"""Tests of remun/web/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
