"""Tests of remun/reciprocity/: fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
