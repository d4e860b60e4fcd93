"""The languages Remun speaks."""

#: Languages with a complete catalogue, by the code people choose, with the
#: Babel locale that formats their numbers and dates (British English for "en").
LANGUAGES = {"en": "English"}
LOCALES = {"en": "en_GB"}
