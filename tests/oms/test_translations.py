"""Every user-facing string has a Simplified Chinese translation."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    "oms",
    "inventory",
    "orders",
    "fulfillment",
    "aftersales",
    "reconciliation",
    "reports",
    "templates",
]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext not installed (make setup installs it)")
def test_every_message_has_a_zh_hans_translation(tmp_path):
    # Extract from a copy of the sources, merged with the committed catalogue, so the test changes nothing.
    for name in SOURCES:
        if (ROOT / name).exists():
            shutil.copytree(
                ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations")
            )
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    catalogue = polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], (
        f"{len(missing)} messages lack a zh_Hans translation (run `make messages`): {missing[:20]}"
    )


def test_compiled_catalogue_is_used_by_django():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Dashboard") == "仪表盘"
