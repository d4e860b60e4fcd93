"""Tests of remun/jobs/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
