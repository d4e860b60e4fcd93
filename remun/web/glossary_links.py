"""Links each glossary term to its explanation where it first appears on a page, as the page renders.

Nothing is parsed after rendering. When a template is compiled, :class:`GlossaryExtension`
follows its markup and passes every ``{{ ... }}`` that stands in an element's text through the
``glossary_terms`` filter - never one inside a tag (an attribute), a link, a button, a form label,
a heading, a hint or hidden text, so nothing interactive is nested and headings stay plain.
base.html marks where the page's main content begins and ends (``glossary_begin()`` and
``glossary_end()``); in between, the filter links the first use of each term (in the reader's
language) that stands between spaces, and counts the text it has read so that long tables
(a ledger, an audit log) cost nothing once the top of the page has been read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask import Flask, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape

from remun.glossary import TERMS

#: Text inside these is left alone (links may not nest; headings and labels stay plain).
SKIP = {"a", "button", "label", "legend", "h1", "h2", "h3", "h4", "h5", "h6", "title", "script", "style",
        "option", "select", "textarea", "summary", "caption", "svg", "code", "pre", "dt", "time"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Classes whose text is hidden or already explains something (error summaries, hints).
SKIP_CLASSES = ("visually-hidden", "govuk-error-summary", "govuk-error-message", "govuk-hint", "govuk-tag")
#: Only this much of a page's text is read: terms first appear near the top, and long tables
#: would otherwise cost more time than the links are worth.
TEXT_CHARACTERS = 12_000
#: The filter the extension adds to each ``{{ ... }}`` in running text.
FILTER = "glossary_terms"

_TAG_START = re.compile(r"<!--|<(/?)([a-zA-Z][\w-]*)")
_HIDDEN = re.compile(r"(?:^|\s)hidden(?:[\s=/]|$)|aria-hidden\s*=\s*[\"']true")
_CLASS = re.compile(r"class\s*=\s*[\"']([^\"']*)")


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


# --- When a template is compiled: which {{ ... }} stand in running text ----------------------------

class _Markup:
    """Follows a template's own markup, piece by piece, to tell whether its text may be linked."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.tag: str | None = None  # the start or end tag being read ("/a" for an end tag)
        self.tag_text = ""
        self.comment = False

    def linkable(self) -> bool:
        return self.tag is None and not self.comment and not any(skipped for _tag, skipped in self.stack)

    def feed(self, data: str) -> None:
        position = 0
        while position < len(data):
            if self.comment:
                end = data.find("-->", position)
                if end < 0:
                    return
                self.comment, position = False, end + 3
            elif self.tag is not None:
                end = data.find(">", position)
                if end < 0:
                    self.tag_text += data[position:]
                    return
                self.tag_text += data[position:end]
                self._tag_ends()
                position = end + 1
            else:
                match = _TAG_START.search(data, position)
                if match is None:
                    return
                if match.group() == "<!--":
                    self.comment = True
                else:
                    self.tag, self.tag_text = match.group(1) + match.group(2).lower(), ""
                position = match.end()

    def _tag_ends(self) -> None:
        tag, attributes = self.tag or "", self.tag_text
        self.tag = None
        if tag.startswith("/"):
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index][0] == tag[1:]:
                    del self.stack[index:]
                    break
            return
        if tag in VOID or attributes.rstrip().endswith("/"):
            return
        classes = _CLASS.search(attributes)
        skipped = (tag in SKIP or _HIDDEN.search(attributes) is not None
                   or (classes is not None and any(name in classes.group(1) for name in SKIP_CLASSES)))
        self.stack.append((tag, skipped))


class GlossaryExtension(Extension):
    """Adds ``|glossary_terms`` to each ``{{ ... }}`` that stands in running text (see the module's note)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        markup = _Markup()
        tokens = iter(stream)
        for token in tokens:
            if token.type == "data":
                markup.feed(token.value)
                yield token
            elif token.type == "variable_begin":
                inner: list[Token] = []
                end = token
                for end in tokens:
                    if end.type == "variable_end":
                        break
                    inner.append(end)
                yield token
                if markup.linkable():
                    yield Token(token.lineno, "lparen", "(")
                    yield from inner
                    yield from (Token(end.lineno, "rparen", ")"), Token(end.lineno, "pipe", "|"),
                                Token(end.lineno, "name", FILTER))
                else:
                    yield from inner
                yield end
            else:
                yield token


# --- When a page renders: the first use of each term -------------------------------------------------

#: The page being rendered, between glossary_begin() and glossary_end() (one per thread or task, as requests are).
_PAGE: ContextVar[_Page | None] = ContextVar("glossary_page", default=None)


@dataclass
class _Page:
    """One page's glossary: the terms still to link, and how much text may still be read."""

    combined: re.Pattern[str]
    slugs: dict[str, str]  # group name -> slug, for the terms not yet linked
    url: str
    characters: int = TEXT_CHARACTERS
    linked: set[str] = field(default_factory=set)

    def link(self, text: str) -> str | None:
        """The text (already escaped) with the first use of each term linked, or None when none is."""
        pieces, position = [], 0
        for match in self.combined.finditer(text):
            slug = self.slugs.get(match.lastgroup or "")
            begin, end = match.start(match.lastgroup), match.end(match.lastgroup)
            # Only a term standing between spaces: never inside a quoted name (“Lived experience
            # co-chair”) or against punctuation, so the words read exactly as before.
            if slug is None or slug in self.linked or not (begin == 0 or text[begin - 1].isspace()) \
                    or not text[end:end + 1].isspace():
                continue
            self.linked.add(slug)
            pieces.append(text[position:begin])
            pieces.append(f'<a class="govuk-link remun-term" href="{escape(self.url)}#{escape(slug)}">{text[begin:end]}</a>')
            position = end
        if not pieces:
            return None
        pieces.append(text[position:])
        return "".join(pieces)


@pass_context  # never worked out when a template is compiled (a constant "{{ 'text' }}" would be)
def glossary_terms(_context, value):
    """The filter: a piece of text with its terms linked, when it is in a page's main content."""
    page = _PAGE.get()
    if page is None or page.characters <= 0:
        return value
    if isinstance(value, Markup):
        if "<" in value:  # markup rendered already (a macro, a block): its own text was linked as it rendered
            return value
        text = str(value)
    elif isinstance(value, (str, LazyString)):  # LazyString: a label translated when shown (remun/web/labels.py)
        text = str(escape(str(value)))
    else:
        return value
    page.characters -= len(text)
    linked = page.link(text)
    return value if linked is None else Markup(linked)


def current_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """The linked terms in the reader's language, longest first (so "equal role" is found before a term inside it)."""
    locale = get_locale()
    language = locale.language if locale is not None else "en"
    terms = sorted((term for term in TERMS if term.linked), key=lambda term: -len(_(term.term)))
    return [(term.slug, _pattern(_(term.term), language == "en", language == "gd")) for term in terms]


#: Per language: the terms in one pattern, and each of its groups' slug (the catalogues do not change while serving).
_LANGUAGES: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}


def begin_page() -> str:
    """Called where a page's main content begins: terms are linked from here."""
    if request.endpoint in (None, "glossary.index"):
        return ""
    locale = get_locale()
    language = str(locale) if locale is not None else "en"
    if language not in _LANGUAGES:
        patterns = current_patterns()
        _LANGUAGES[language] = (_combined(tuple(pattern.pattern for _slug, pattern in patterns)),
                                {f"term{index}": slug for index, (slug, _pattern) in enumerate(patterns)})
    combined, slugs = _LANGUAGES[language]
    _PAGE.set(_Page(combined, slugs, url_for("glossary.index")))
    return ""


def end_page(_error: BaseException | None = None) -> str:
    """Called where a page's main content ends (and when a request ends): nothing after it is linked."""
    _PAGE.set(None)
    return ""


def register(app: Flask) -> None:
    app.teardown_request(end_page)
    app.jinja_env.add_extension(GlossaryExtension)
    app.jinja_env.filters[FILTER] = glossary_terms
    app.jinja_env.globals.update(glossary_begin=begin_page, glossary_end=end_page)
