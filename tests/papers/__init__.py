"""Tests of remun/papers/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
