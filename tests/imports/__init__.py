"""Tests of remun/imports/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
