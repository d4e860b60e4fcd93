"""Links each glossary term to its explanation where it first appears on a page.

After a page is rendered, the text inside ``<main>`` is scanned and the first
use of each term (in the reader's language) that stands between spaces becomes
a link to the glossary.
Only text is touched, never markup, and never text inside links, buttons,
form labels, headings or hidden text, so nothing interactive is nested.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

from flask import Flask, Response, request
from flask_babel import gettext as _
from markupsafe import escape

from remun.glossary import TERMS

#: Text inside these is left alone (links may not nest; headings and labels stay plain).
SKIP = {"a", "button", "label", "legend", "h1", "h2", "h3", "h4", "h5", "h6", "title", "script", "style",
        "option", "select", "textarea", "summary", "caption", "svg", "code", "pre", "dt", "time"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Only this much of the page after <main> is read: terms first appear near the top, and long
#: tables (a ledger, an audit log) would otherwise cost more time than the links are worth.
SCAN_CHARACTERS = 60_000
#: Classes whose text is hidden or already explains something (error summaries, hints).
SKIP_CLASSES = ("visually-hidden", "govuk-error-summary", "govuk-error-message", "govuk-hint", "govuk-tag")


def _pattern(words: str, english: bool, gaelic: bool = False) -> re.Pattern[str]:
    """The term as it appears in running text.

    English: the words, or their plural ("claims", "batches"). Polish and Gaelic change
    the ends of words ("równa rola", "równej roli"), so each word matches by its stem;
    Gaelic also adds or drops an h after the first letter ("dreuchd cho-ionann",
    "dreuchdan co-ionann").
    """
    if english:
        body = re.escape(words) + r"(?:s|es)?"
    else:
        body = r"\s+".join(_stem(word, gaelic) for word in words.split())
    return re.compile(r"(?<!\w)(" + body + r")(?!\w)", re.IGNORECASE)


def _stem(word: str, gaelic: bool) -> str:
    stem = word if len(word) < 4 else word[:max(3, len(word) - 2)]
    if gaelic and len(stem) > 2 and stem[0].lower() in "bcdfgmpst":
        rest = stem[2:] if stem[1].lower() == "h" else stem[1:]
        return re.escape(stem[0]) + "h?" + re.escape(rest) + r"\w*"
    return re.escape(stem) + r"\w*"


@functools.lru_cache(maxsize=32)
def _combined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Every term in one pattern, each in a named group, compiled once per language.

    Each term can only start at the start of a word, with one of a few letters; checking those
    two things once at each position (before trying every term in turn) passes over most of the
    text quickly. It only repeats conditions each term already has, so the matches are the same.
    """
    alternatives = "|".join(f"(?P<term{index}>{pattern})" for index, pattern in enumerate(patterns))
    firsts = {_first_character(pattern) for pattern in patterns}
    if None in firsts:
        return re.compile(alternatives, re.IGNORECASE)
    return re.compile(r"(?<!\w)(?=[" + "".join(sorted(firsts)) + "])(?:" + alternatives + ")", re.IGNORECASE)


def _first_character(pattern: str) -> str | None:
    """The escaped first character a term's pattern can match, or None when it is not plain."""
    prefix = r"(?<!\w)("
    if not pattern.startswith(prefix):
        return None
    body = pattern[len(prefix):]
    if body[:1] == "\\" and len(body) > 1 and not body[1].isalnum():
        return body[:2]
    if body[:1].isalpha():
        return body[0]
    return None


class _TextFinder(HTMLParser):
    """Finds the first linkable use of each term in <main>, as (start, end, slug) in the source."""

    def __init__(self, source: str, patterns: list[tuple[str, re.Pattern[str]]]):
        super().__init__(convert_charrefs=False)
        # One search per piece of text: every term in one pattern, each in a named group.
        self.slugs = {f"term{index}": slug for index, (slug, _pattern) in enumerate(patterns)}
        self.combined = _combined(tuple(pattern.pattern for _slug, pattern in patterns))
        self.found: dict[str, tuple[int, int]] = {}
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.in_main = False
        self.line_starts = [0]
        for match in re.finditer("\n", source):
            self.line_starts.append(match.end())

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in VOID:
            return
        attributes = dict(attrs)
        classes = attributes.get("class") or ""
        skipped = (tag in SKIP or any(name in classes for name in SKIP_CLASSES)
                   or attributes.get("aria-hidden") == "true" or "hidden" in attributes)
        self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.in_main or len(self.found) == len(self.slugs) or self._skipping() or not data.strip():
            return
        start = self._offset()
        for match in self.combined.finditer(data):
            slug = self.slugs[match.lastgroup]
            begin, end = match.start(match.lastgroup), match.end(match.lastgroup)
            # Only a term standing between spaces: never inside a quoted name (“Lived experience
            # co-chair”) or against punctuation, so the words read exactly as before.
            if slug not in self.found and (begin == 0 or data[begin - 1].isspace()) and data[end:end + 1].isspace():
                self.found[slug] = (start + begin, start + end)


def link_terms(html: str, patterns: list[tuple[str, re.Pattern[str]]], glossary_url: str) -> str:
    main = html.find("<main")
    end = html.rfind("<", 0, main + SCAN_CHARACTERS) if 0 <= main < len(html) - SCAN_CHARACTERS else len(html)
    finder = _TextFinder(html[:end], patterns)
    finder.feed(html[:end])
    finder.close()
    pieces, position = [], 0
    for slug, (start, end) in sorted(finder.found.items(), key=lambda item: item[1][0]):
        pieces.append(html[position:start])
        pieces.append(f'<a class="govuk-link remun-term" href="{escape(glossary_url)}#{escape(slug)}">{html[start:end]}</a>')
        position = end
    pieces.append(html[position:])
    return "".join(pieces)


def current_patterns() -> list[tuple[str, re.Pattern[str]]]:
    from flask_babel import get_locale

    locale = get_locale()
    language = locale.language if locale is not None else "en"
    # Longest first, so "equal role" is found before a shorter term inside it.
    terms = sorted((term for term in TERMS if term.linked), key=lambda term: -len(_(term.term)))
    return [(term.slug, _pattern(_(term.term), language == "en", language == "gd")) for term in terms]


def register(app: Flask) -> None:
    @app.after_request
    def _link_glossary_terms(response: Response) -> Response:
        if (response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough
                or response.is_streamed or request.endpoint in (None, "static", "glossary.index")):
            return response
        from flask import url_for

        html = response.get_data(as_text=True)
        if "<main" not in html:
            return response
        response.set_data(link_terms(html, current_patterns(), url_for("glossary.index")))
        return response
