"""`manage.py` commands of the inventory app (check_stock)."""
