"""What the manual order form asks as the user types (HTMX partials): SKUs with price and stock, and the
customers already known by a phone number."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inventory.selectors import skus_search
from orders.selectors import customers_by_phone


def _typed(request: HttpRequest, suffix: str) -> str:
    """The value typed in the field that asked (``lines-2-sku``, ``customer_phone``) or ``q``."""
    for name, value in request.GET.items():
        if name == "q" or name.endswith(suffix):
            return value.strip()[:64]
    return ""


@permission_required("orders.add_order", raise_exception=True)
def sku_search(request: HttpRequest) -> HttpResponse:
    q = _typed(request, "sku")
    matches = skus_search(q=q) if len(q) >= 2 else []
    return render(request, "orders/inc/sku_matches.html", {"matches": matches, "q": q})


@permission_required("orders.add_order", raise_exception=True)
def customer_lookup(request: HttpRequest) -> HttpResponse:
    matches = customers_by_phone(_typed(request, "phone"))
    return render(request, "orders/inc/customer_matches.html", {"matches": matches})
