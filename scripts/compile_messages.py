"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib.

Pure Python, so a machine with only Python and make needs no GNU gettext.
The .po files are the source of truth; .mo files are build output (ignored by git).
"""
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po")) + sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        continue
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    print(f"compiled {po_path.relative_to(ROOT)}")
