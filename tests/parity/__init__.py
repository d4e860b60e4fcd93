"""Tests of remun/parity/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
