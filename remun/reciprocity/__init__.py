"""Reciprocity: how each participant chooses to be thanked, and what they are owed (issue 6)."""
