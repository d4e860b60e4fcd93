"""Helpers the tests share that are not fixtures: a served app, the link crawler, job hooks."""
