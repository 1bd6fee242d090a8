"""What the orders screens share: the page size, the export row limit and the countless page of a list."""

from __future__ import annotations

from orders.choices import BADGE_COLOURS

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def page_of(qs, request, size: int = PAGE_SIZE):
    """Offset page without COUNT(*): fetch one row more to know whether a next page exists."""
    try:
        page = min(max(1, int(request.GET.get("page", 1))), 1_000_000)
    except ValueError:
        page = 1
    start = (page - 1) * size
    # Skip rows on the order table alone (its queue index), then load the page with its joins:
    # joining 50,000 skipped rows is what makes deep offsets slow.
    ids = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    by_pk = {o.pk: o for o in qs.order_by().filter(pk__in=ids)} if ids else {}
    rows = [by_pk[pk] for pk in ids if pk in by_pk]
    return {"rows": rows[:size], "number": page, "has_next": len(rows) > size, "has_previous": page > 1}


def badge(status: str) -> str:
    return BADGE_COLOURS.get(status, "secondary")
