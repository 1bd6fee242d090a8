"""manage.py refresh_reports [--days N]: rebuild the report summary tables now."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.summaries import refresh_order_summaries


class Command(BaseCommand):
    help = "Rebuild the report summaries: every day, or only the last N days with --days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Only the last N days (default: all)")

    def handle(self, *args, **options):
        if options["days"]:
            today = timezone.localdate()
            rows = refresh_order_summaries(day_from=today - timedelta(days=options["days"]), day_to=today)
        else:
            rows = refresh_order_summaries()
        self.stdout.write(self.style.SUCCESS(f"Report summaries rebuilt: {rows} rows."))
