"""Every message catalogue in the project is complete: no empty and no fuzzy msgstr."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

SKIP_DIRS = {"node_modules", "static", "staticfiles", "media", "docs"}
CATALOGUES = sorted(
    path
    for top in Path(settings.BASE_DIR).iterdir()
    if top.is_dir() and not top.name.startswith(".") and top.name not in SKIP_DIRS
    for path in top.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
)


def _entries(text: str) -> list[dict]:
    """A small .po reader: msgid, msgstr(s) and flags of each entry (polib is not installed)."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        entry: dict = {"msgid": None, "msgstr": [], "flags": set(), "obsolete": False}
        current = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("msgid_plural "):
                current = "plural"
            elif line.startswith("msgid "):
                current = "msgid"
                entry["msgid"] = ast.literal_eval(line[6:])
            elif line.startswith("msgstr"):
                current = "msgstr"
                entry["msgstr"].append(ast.literal_eval(line.split(" ", 1)[1]))
            elif line.startswith('"'):
                if current == "msgid":
                    entry["msgid"] += ast.literal_eval(line)
                elif current == "msgstr":
                    entry["msgstr"][-1] += ast.literal_eval(line)
        if entry["msgid"] is not None and not entry["obsolete"]:
            entries.append(entry)
    return entries


def problems(text: str) -> list[str]:
    found = []
    for entry in _entries(text):
        if entry["msgid"] == "":  # the header
            continue
        if "fuzzy" in entry["flags"]:
            found.append(f"fuzzy: {entry['msgid']!r}")
        elif not entry["msgstr"] or not all(entry["msgstr"]):
            found.append(f"empty: {entry['msgid']!r}")
    return found


def test_the_reader_sees_empty_fuzzy_and_plural_entries():
    sample = "\n\n".join(
        [
            'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"',
            'msgid "Done"\nmsgstr "完成"',
            'msgid "Empty"\nmsgstr ""',
            '#, fuzzy, python-format\nmsgid "Guess %(n)s"\nmsgstr "猜 %(n)s"',
            'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""',
            'msgid ""\n"Long "\n"text"\nmsgstr ""\n"长"\n"文本"',
        ]
    )
    assert problems(sample) == ["empty: 'Empty'", "fuzzy: 'Guess %(n)s'", "empty: 'One'"]


def test_there_are_catalogues():
    assert Path(settings.BASE_DIR, "portal/locale/zh_Hans/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR))
)
def test_catalogue_is_complete(catalogue: Path):
    found = problems(catalogue.read_text(encoding="utf-8"))
    assert not found, f"{catalogue}: {len(found)} untranslated:\n" + "\n".join(found[:40])
