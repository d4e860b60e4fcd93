"""Remun's version, in a module of its own so any part can name it without importing the app package."""

__version__ = "0.1.0"
