"""Every text of the console has its Vietnamese line: the default language is never half English."""
import re
from pathlib import Path

import polib

CONSOLE = Path(__file__).resolve().parents[2] / "console"
CATALOG = CONSOLE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
TAG = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"')
# _("...") with the literal possibly split over lines ("a " "b" is one msgid, "a b")
CALL = re.compile(r'(?<![\w.])_\(\s*((?:"[^"]*"\s*)+)')
PIECE = re.compile(r'"([^"]*)"')


def used_messages() -> set[str]:
    found = set()
    for path in CONSOLE.rglob("*.html"):
        found |= set(TAG.findall(path.read_text()))
    for path in CONSOLE.rglob("*.py"):
        found |= {"".join(PIECE.findall(call)) for call in CALL.findall(path.read_text())}
    return found


def test_every_console_text_is_translated():
    catalog = {entry.msgid: entry for entry in polib.pofile(str(CATALOG))}
    project = {entry.msgid for entry in polib.pofile(str(CONSOLE.parent / "locale/vi/LC_MESSAGES/django.po"))
               if entry.translated()}
    missing = sorted(m for m in used_messages() if not (m in catalog and catalog[m].translated()) and m not in project)
    assert not missing, f"add these to {CATALOG.relative_to(CONSOLE.parent)}: {missing}"
    assert len(used_messages()) > 80


def test_no_console_entry_is_fuzzy_or_empty():
    entries = polib.pofile(str(CATALOG))
    assert not [e.msgid for e in entries if "fuzzy" in e.flags or not e.translated()]
