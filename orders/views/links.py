"""Links to orders from stored references (``order-line:12`` on a stock movement or reservation)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from orders.models import OrderLine


class OrderLineView(PermissionRequiredMixin, View):
    """An order line's reference leads to its order's page."""

    permission_required = "orders.view_order"

    def get(self, request, pk: int):
        line = get_object_or_404(OrderLine.objects.only("order_id"), pk=pk)
        return redirect("orders:detail", pk=line.order_id)
