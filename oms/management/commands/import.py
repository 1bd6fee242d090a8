"""`manage.py import KIND FILE [--dry-run] [--good-rows-only]`: dispatch to the importer an app registered.

Apps register importers on their AppConfig, so neither app edits the other's code::

    class InventoryConfig(AppConfig):
        importers = {"skus": "inventory.importers.import_skus", "stock": "inventory.importers.import_stock"}

An importer is called with keyword arguments ``path`` (pathlib.Path), ``dry_run`` (bool),
``good_rows_only`` (bool) and ``by`` (None for the command line), and returns a dict::

    {"total": 10, "written": 0, "errors": [{"row": 3, "message": "SKU code is required"}, ...]}

Rows are numbered as a spreadsheet shows them (the header is row 1). Invariant 6 of DESIGN.md:
with any bad row nothing is written, unless the user asks for the good rows only.
"""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


def registered_importers() -> dict[str, str]:
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        for kind, dotted in getattr(config, "importers", {}).items():
            if kind in found and found[kind] != dotted:
                raise CommandError(f"Two apps register the importer {kind!r}: {found[kind]} and {dotted}")
            found[kind] = dotted
    return found


class Command(BaseCommand):
    help = "Import a CSV/XLSX file; every bad row is reported with its row number and reason."

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help="what the file holds, e.g. " + ", ".join(sorted(registered_importers()))
        )
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--good-rows-only",
            action="store_true",
            help="import the good rows even when some rows are bad (the bad ones are still reported)",
        )

    def handle(self, *args, kind: str, file: Path, dry_run: bool, good_rows_only: bool, **options):
        importers = registered_importers()
        if kind not in importers:
            raise CommandError(
                f"Unknown kind {kind!r}; choose one of: {', '.join(sorted(importers)) or 'none'}"
            )
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        result = import_string(importers[kind])(
            path=file, dry_run=dry_run, good_rows_only=good_rows_only, by=None
        )
        errors = result.get("errors", [])
        for error in errors:
            self.stderr.write(f"row {error['row']}: {error['message']}")
        total, written = result.get("total", 0), result.get("written", 0)
        summary = f"{total} rows, {len(errors)} bad, {written} written"
        if dry_run:
            summary += " (dry run: nothing written)"
        elif errors and not good_rows_only:
            summary += " (nothing written: fix the rows above or use --good-rows-only)"
        if errors:
            self.stderr.write(summary)
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(summary))
