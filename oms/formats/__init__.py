"""Project overrides of Django's per-locale formats (FORMAT_MODULE_PATH)."""
