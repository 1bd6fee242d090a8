"""Fill zh_Hans translations from a JSON file of {msgid: msgstr}; list what is still missing.

Usage: .venv/bin/python scripts/po_fill.py [translations.json]   (after `make messages`)
A msgid with a context (pgettext) is keyed as gettext does: "context\u0004msgid".
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def main() -> int:
    po = polib.pofile(str(PO))
    mapping = json.loads(Path(sys.argv[1]).read_text()) if len(sys.argv) > 1 else {}
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key in mapping:
            value = mapping[key]
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value if isinstance(value, str) else value[0]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    missing = [
        f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        for e in po
        if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]
    for key in missing:
        print(json.dumps(key, ensure_ascii=False))
    print(f"{len(missing)} untranslated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
