"""Follow every internal link and GET form a page shows, and note where each one leads.

Shared by the quick test-client crawl (tests/web/test_front_door.py) and the Chromium crawl
(tests/browser/test_browser_front_door.py). A page that refuses (403), is missing (404) or fails (5xx)
after being reached by something the person was shown is a dead end: the page that showed it
is named, so the fix is easy to find.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

#: Never followed: signing out ends the crawl's session, language links only change a cookie
#: (the crawl runs once per language instead), files are not pages.
SKIPPED_PREFIXES = ("/sign-out", "/language/", "/static/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            method = (attributes.get("method") or "get").lower()
            self._form = {"action": attributes.get("action") or "", "fields": {}} if method == "get" else None
        elif self._form is not None and tag in ("input", "select", "textarea"):
            name = attributes.get("name")
            kind = (attributes.get("type") or "").lower()
            if not name or kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                self._form["fields"].setdefault(name, None)
                return
            self._form["fields"][name] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            fields = {k: v for k, v in self._form["fields"].items() if v is not None}
            action = self._form["action"]
            self.links.append(action + ("&" if "?" in action else "?") + urlencode(fields) if fields else action)
            self._form = None


def links_in(html: str, page_url: str) -> list[str]:
    """Internal paths (with their query) linked or submitted by GET from the page."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        absolute = urlsplit(urljoin(page_url, href))
        if absolute.scheme not in ("http", "https", "") or (absolute.netloc and absolute.netloc != urlsplit(page_url).netloc):
            continue
        if absolute.path.startswith(SKIPPED_PREFIXES):
            continue
        found.append(urlunsplit(("", "", absolute.path, absolute.query, "")))
    return found


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)
    dead_ends: list[tuple[str, int, str]] = field(default_factory=list)  # (path, status, shown on)

    @property
    def pages(self) -> int:
        return len(self.visited)


def kind_of(path: str) -> str:
    """The kind of page: its path with each id replaced by #, and the names of its query's fields."""
    import re

    parts = urlsplit(path)
    fields = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(fields) if fields else "")


def crawl(fetch: Callable[[str], tuple[int, str | None, str]], start: str, *, limit: int = 500,
          per_kind: int | None = None) -> Crawl:
    """Breadth first from ``start``. ``fetch(path) -> (status, html or None, final path)``.

    ``per_kind`` bounds how many pages of one kind (see ``kind_of``) are opened, so a slow
    browser still reaches every kind of page a big project has, not only its first hundred people.
    """
    result = Crawl()
    queue: list[tuple[str, str]] = [(start, "(start)")]
    seen = {start}
    kinds: dict[str, int] = {}
    while queue and len(result.visited) < limit:
        path, shown_on = queue.pop(0)
        if per_kind is not None:
            kind = kind_of(path)
            if kinds.get(kind, 0) >= per_kind:
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
        status, html, final = fetch(path)
        result.visited[path] = status
        if status in (403, 404) or status >= 500:
            result.dead_ends.append((path, status, shown_on))
            continue
        if html is None:
            continue
        for link in links_in(html, "http://site" + final):
            if link not in seen:
                seen.add(link)
                queue.append((link, final))
    return result
