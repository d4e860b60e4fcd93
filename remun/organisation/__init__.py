"""The organisation's own settings, chosen by an administrator (remun/organisation/settings.py)."""
