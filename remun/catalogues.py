"""The translation catalogues: extract, update, compile and check them (no Flask here).

``python -m remun.catalogues extract|update|compile|check`` is what
``make translations`` and ``make test`` run. The checks fail when the template
(messages.pot) no longer matches the strings in the code, or a language has a
string that is untranslated, fuzzy or left over from older code.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "remun" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
MAPPING = ROOT / "babel.cfg"
#: Besides Babel's defaults (_, gettext, ngettext, N_ ...), the names Remun marks strings with.
KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
#: Every language except English, which is the source.
TRANSLATED = ("gd", "pl")
HEADER = {
    "project": "Remun",
    "version": "0.1",
    "copyright_holder": "Remun contributors",
    "msgid_bugs_address": "",
}


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def extract() -> Catalog:
    """Every marked string in the code and templates, as a fresh template catalogue."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(**HEADER, fuzzy=False)
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    path.write_bytes(buffer.getvalue())


def keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    """The messages a catalogue holds (singular and plural ids, with context), ignoring where they come from."""
    return {(message.id, message.context) for message in catalog if message.id}


def write_template() -> Catalog:
    template = extract()
    _write(TEMPLATE, template)
    return template


def update() -> None:
    """Bring every language up to the template: new strings arrive empty, gone ones are dropped."""
    template = _read(TEMPLATE)
    for language in TRANSLATED:
        path = po_path(language)
        catalog = _read(path, language) if path.exists() else Catalog(locale=language, **HEADER)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(path, catalog)


def compile_catalogues(force: bool = False) -> list[Path]:
    """Write each language's .mo when it is missing or older than its .po; returns those written."""
    written = []
    for language in TRANSLATED:
        source, target = po_path(language), mo_path(language)
        if not source.exists():
            continue
        if force or not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            catalog = _read(source, language)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            target.write_bytes(buffer.getvalue())
            written.append(target)
    return written


def template_problems() -> list[str]:
    """Strings in the code missing from messages.pot, or in it but no longer in the code."""
    if not TEMPLATE.exists():
        return ["remun/translations/messages.pot is missing: run `make translations`"]
    current, saved = keys(extract()), keys(_read(TEMPLATE))
    problems = [f"not in messages.pot: {_show(key)}" for key in sorted(current - saved, key=str)]
    problems += [f"in messages.pot but no longer in the code: {_show(key)}" for key in sorted(saved - current, key=str)]
    if problems:
        problems.append("run `make translations`, then translate the new strings")
    return problems


def catalogue_problems(language: str) -> list[str]:
    """Strings this language lacks, has marked fuzzy, or has that the template does not."""
    path = po_path(language)
    if not path.exists():
        return [f"{language}: {path.relative_to(ROOT)} is missing"]
    catalog = _read(path, language)
    template = _read(TEMPLATE)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"{language}: fuzzy: {_show((message.id, message.context))}")
        elif not _translated(message.string):
            problems.append(f"{language}: untranslated: {_show((message.id, message.context))}")
    missing = keys(template) - keys(catalog)
    extra = keys(catalog) - keys(template)
    problems += [f"{language}: missing: {_show(key)}" for key in sorted(missing, key=str)]
    problems += [f"{language}: not in the template: {_show(key)}" for key in sorted(extra, key=str)]
    return problems


def _translated(string: object) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(part for part in string)
    return bool(string)


def _show(key: tuple[object, str | None]) -> str:
    message_id, context = key
    text = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return repr(text) + (f" (context {context!r})" if context else "")


def all_problems(languages: Iterable[str] = TRANSLATED) -> list[str]:
    problems = template_problems()
    for language in languages:
        problems += catalogue_problems(language)
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        write_template()
    elif command == "update":
        update()
    elif command == "compile":
        for path in compile_catalogues(force="--force" in argv):
            print(f"compiled {path.relative_to(ROOT)}")
    elif command == "check":
        problems = all_problems()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} translation problems", file=sys.stderr)
            return 1
        print("translations complete")
    else:
        print("usage: python -m remun.catalogues extract|update|compile [--force]|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
