"""Papers for a participant: a letter for a benefits adviser, the year statement and
the UK tax year it reads."""
