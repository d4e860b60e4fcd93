"""Tests of remun/upkeep/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
