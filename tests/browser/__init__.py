"""Pages in a real browser (Debian's Chromium, Playwright, axe-core): fixtures in tests/conftest.py, shared helpers in tests/helpers/."""
