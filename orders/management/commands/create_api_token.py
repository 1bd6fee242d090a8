"""Create an API token for a channel and print it once (only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from orders.models import Channel
from orders.services import channel_token_create


class Command(BaseCommand):
    help = "Create an API token for CHANNEL (its code) and print the raw token once."

    def add_arguments(self, parser):
        parser.add_argument("channel", help="channel code, e.g. tmall")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, **options):
        try:
            channel = Channel.objects.get(code=options["channel"])
        except Channel.DoesNotExist as exc:
            codes = ", ".join(Channel.objects.order_by("code").values_list("code", flat=True)) or "none yet"
            raise CommandError(f"No channel {options['channel']!r}. Channels: {codes}") from exc
        token, raw = channel_token_create(channel=channel, name=options["name"])
        self.stderr.write(f"Token {token.prefix}… for {channel.name}; it is shown once, store it now:")
        self.stdout.write(raw)
