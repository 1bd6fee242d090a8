"""Allocate approved orders now, in priority order (the beat task does the same every minute)."""

from django.core.management.base import BaseCommand

from orders.services import orders_allocate_pending


class Command(BaseCommand):
    help = "Allocate approved orders in priority order."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=100,
            help="orders per transaction (their stock rows stay locked until it commits)",
        )

    def handle(self, *args, **options):
        counts = orders_allocate_pending(limit=options["limit"], batch_size=options["batch_size"])
        self.stdout.write(
            f"allocated {counts['allocated']}, backordered {counts['backordered']}, skipped {counts['skipped']}"
        )
