"""Sales-platform connectors: orders in from the shops (webhooks, files, pulls); tracking and stock back out."""
