"""Tests of remun/cli/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
