"""manage.py restore FILE: restore a dump into an empty database (the configured one, or --database)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from oms.backup import database_restore
from oms.exceptions import DomainError


class Command(BaseCommand):
    help = "Restore FILE (made by `manage.py backup`) into an empty database; refuses a database that has tables."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--database", help="Target database on the same server (default: the configured one)"
        )

    def handle(self, *args, **options):
        database = options["database"] or connection.settings_dict["NAME"]
        try:
            database_restore(file=options["file"], database=database)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {options['file']} into {database}"))
