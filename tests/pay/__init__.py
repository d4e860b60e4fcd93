"""Tests of remun/pay/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
