"""manage.py backup: write a consistent PostgreSQL dump to OMS_BACKUP_DIR, keeping the newest OMS_BACKUP_KEEP."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oms.backup import database_backup
from oms.exceptions import DomainError


class Command(BaseCommand):
    help = "Back up the database to OMS_BACKUP_DIR (or --dir), keeping the newest OMS_BACKUP_KEEP (or --keep) dumps."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Folder for the dump (default: OMS_BACKUP_DIR)")
        parser.add_argument("--keep", type=int, help="How many dumps to keep (default: OMS_BACKUP_KEEP)")

    def handle(self, *args, **options):
        try:
            backup = database_backup(directory=options["dir"], keep=options["keep"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {backup.path} ({backup.size:,} bytes, sha256 {backup.sha256})")
        )
