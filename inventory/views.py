"""Inventory screens: stock, SKU detail, ledger, receive / adjust / count / transfer, alerts, replenishment.

Thin: selectors read, services write, ``oms.exports`` writes the downloads.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import DetailView, FormView, ListView, TemplateView

from inventory import selectors, services
from inventory.choices import BADGE_COLOURS
from inventory.forms import (
    AdjustForm,
    AlertFilterForm,
    CountForm,
    MovementFilterForm,
    ReceiveForm,
    ReplenishmentFilterForm,
    StockFilterForm,
    TransferForm,
)
from inventory.forms_purchasing import SuggestionsToPOForm
from oms.exceptions import DomainError
from oms.exports import export_response

EXPORT_PERMISSION = "inventory.export_stock"


class ExportMixin:
    """``?export=csv|xlsx`` on a list downloads it (the whole filtered list, not one page).

    The view names the file (``export_name``), its columns (``export_headers``), one object's cells
    (``export_row``) and, where it is not the queryset, what it lists (``export_objects``); it sets
    ``self.filters`` while reading, which the page gets with ``can_export`` and ``querystring``.
    """

    export_name = ""

    def export_format(self) -> str | None:
        fmt = self.request.GET.get("export")
        if fmt not in ("csv", "xlsx"):
            return None
        if not self.request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        return fmt

    def export_headers(self) -> list[str]:
        raise NotImplementedError

    def export_row(self, obj) -> list:
        raise NotImplementedError

    def export_objects(self):
        return self.get_queryset().iterator(chunk_size=2000)

    def get(self, request, *args, **kwargs):
        fmt = self.export_format()
        if fmt:
            return export_response(
                name=self.export_name,
                fmt=fmt,
                headers=self.export_headers(),
                rows=(self.export_row(obj) for obj in self.export_objects()),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filters"] = self.filters
        ctx["can_export"] = self.request.user.has_perm(EXPORT_PERMISSION)
        ctx["querystring"] = self.request.GET.urlencode()
        return ctx


class StockListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = "inventory.view_stocklevel"
    template_name = "inventory/stocklevel_list.html"
    export_name = "stock"
    paginate_by = 50

    def get_queryset(self):
        self.filters = StockFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return selectors.stock_levels_overview(
            q=data.get("q", ""),
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            category=data.get("category", ""),
            only_low=data.get("low", False),
        )

    def export_headers(self):
        return [
            _("SKU"),
            _("Product"),
            _("Variant"),
            _("Barcode"),
            _("Warehouse"),
            _("On hand"),
            _("Reserved"),
            _("Available"),
            _("Damaged"),
            _("On order"),
            pgettext("stock", "In transit"),
            _("Safety stock"),
            _("Low stock"),
        ]

    def export_row(self, lv):
        return [
            lv.sku.code,
            lv.sku.product.name,
            lv.sku.name,
            lv.sku.barcode,
            lv.warehouse.code,
            lv.on_hand,
            lv.reserved,
            lv.available,
            lv.damaged,
            lv.on_order,
            lv.in_transit,
            lv.safety_stock,
            _("yes") if lv.has_alert else "",
        ]


class SKUDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "inventory.view_stocklevel"
    template_name = "inventory/sku_detail.html"
    context_object_name = "sku"

    def get_queryset(self):
        return selectors.sku_with_stock()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sku = self.object
        history = selectors.sku_stock_history(sku_id=sku.pk)
        ctx["movements"] = selectors.movements_ledger(sku_id=sku.pk)[:100]
        ctx["history"] = history
        ctx["history_json"] = json.dumps(history)
        ctx["can_see_ledger"] = self.request.user.has_perm("inventory.view_stockmovement")
        ctx["badge"] = BADGE_COLOURS
        return ctx


class MovementListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = "inventory.view_stockmovement"
    template_name = "inventory/stockmovement_list.html"
    export_name = "stock-movements"
    paginate_by = 100

    def get_queryset(self):
        self.filters = MovementFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return selectors.movements_ledger(
            q=data.get("q", ""),
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
            kind=data.get("kind", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def export_headers(self):
        return [
            _("When"),
            _("SKU"),
            _("Warehouse"),
            _("Kind"),
            _("Bucket"),
            _("Quantity"),
            _("Balance after"),
            _("Reference"),
            _("Reason"),
            _("Supplier"),
            _("Unit cost"),
            pgettext("actor", "By"),
        ]

    def export_row(self, m):
        return [
            timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M"),
            m.sku.code,
            m.warehouse.code,
            m.get_kind_display(),
            m.get_bucket_display(),
            m.quantity,
            m.balance_after,
            m.reference,
            m.reason,
            m.supplier.name if m.supplier else "",
            m.unit_cost,
            m.by.get_username() if m.by else "",
        ]


class StockFormView(PermissionRequiredMixin, FormView):
    """A warehouse form: on success a message and a fresh form (same warehouse) for the next scan."""

    template_name = "inventory/stock_form.html"
    title = ""
    submit_label = gettext_lazy("Save")

    def get_initial(self):
        initial = super().get_initial()
        for key in ("warehouse", "sku"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial

    def form_valid(self, form):
        try:
            text = self.perform(form.cleaned_data)
        except DomainError as exc:
            for field, errors in exc.field_errors.items():
                name = field if field in form.fields else {"quantity": "counted"}.get(field)
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, text)
        warehouse = form.cleaned_data.get("warehouse") or form.cleaned_data.get("from_warehouse")
        return redirect(f"{self.request.path}?warehouse={warehouse.pk}")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = self.title
        ctx["submit_label"] = self.submit_label
        return ctx


def _describe(movement) -> str:
    return _("%(sku)s in %(warehouse)s: %(quantity)+d, now %(balance)s on hand.") % {
        "sku": movement.sku.code,
        "warehouse": movement.warehouse.code,
        "quantity": movement.quantity,
        "balance": movement.balance_after,
    }


class ReceiveView(StockFormView):
    permission_required = "inventory.receive_stock"
    form_class = ReceiveForm
    title = gettext_lazy("Receive goods")
    submit_label = gettext_lazy("Receive")

    def perform(self, data) -> str:
        movement = services.stock_receive(
            sku_id=data["sku"].pk,
            warehouse_id=data["warehouse"].pk,
            quantity=data["quantity"],
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            reference=data.get("reference", ""),
            unit_cost=data.get("unit_cost"),
            by=self.request.user,
        )
        return _("Received.") + " " + _describe(movement)


class AdjustView(StockFormView):
    permission_required = "inventory.adjust_stock"
    form_class = AdjustForm
    title = gettext_lazy("Adjust stock")
    submit_label = gettext_lazy("Adjust")

    def perform(self, data) -> str:
        movement = services.stock_adjust(
            sku_id=data["sku"].pk,
            warehouse_id=data["warehouse"].pk,
            quantity=data["quantity"],
            reason=data["reason"],
            reference=data.get("reference", ""),
            by=self.request.user,
        )
        return _("Adjusted.") + " " + _describe(movement)


class CountView(StockFormView):
    permission_required = "inventory.count_stock"
    form_class = CountForm
    title = gettext_lazy("Stock count")
    submit_label = gettext_lazy("Record count")

    def perform(self, data) -> str:
        movement = services.stock_count(
            sku_id=data["sku"].pk,
            warehouse_id=data["warehouse"].pk,
            counted=data["counted"],
            reference=data.get("reference", ""),
            by=self.request.user,
        )
        if movement is None:
            return _("%(sku)s: count matches the system (%(counted)s). Nothing changed.") % {
                "sku": data["sku"].code,
                "counted": data["counted"],
            }
        return _("Count recorded.") + " " + _describe(movement)


class TransferView(StockFormView):
    permission_required = "inventory.transfer_stock"
    form_class = TransferForm
    title = gettext_lazy("Transfer stock")
    submit_label = gettext_lazy("Transfer")

    def perform(self, data) -> str:
        out, into = services.stock_transfer(
            sku_id=data["sku"].pk,
            from_warehouse_id=data["from_warehouse"].pk,
            to_warehouse_id=data["to_warehouse"].pk,
            quantity=data["quantity"],
            reference=data.get("reference", ""),
            by=self.request.user,
        )
        return _("Transferred.") + " " + _describe(out) + " " + _describe(into)


class AlertListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = "inventory.view_lowstockalert"
    template_name = "inventory/lowstockalert_list.html"
    paginate_by = 50
    export_name = "low-stock-alerts"

    def get_queryset(self):
        self.filters = AlertFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        qs = selectors.open_alerts_with_current_stock()
        if data.get("warehouse"):
            qs = qs.filter(warehouse=data["warehouse"])
        if data.get("q"):
            qs = qs.filter(Q(sku__code__istartswith=data["q"]) | Q(sku__product__name__icontains=data["q"]))
        return qs

    def export_headers(self):
        return [
            _("Opened"),
            _("SKU"),
            _("Product"),
            _("Warehouse"),
            _("Available when opened"),
            _("Available now"),
            _("On order"),
            _("Safety stock"),
        ]

    def export_row(self, alert):
        return [
            timezone.localtime(alert.opened_at).strftime("%Y-%m-%d %H:%M"),
            alert.sku.code,
            f"{alert.sku.product.name} {alert.sku.name}".strip(),
            alert.warehouse.code,
            alert.available_at_open,
            alert.available_now,
            alert.on_order_now,
            alert.safety_stock,
        ]


class ReplenishmentView(PermissionRequiredMixin, ExportMixin, TemplateView):
    permission_required = "inventory.view_suppliersku"
    template_name = "inventory/replenishment.html"
    export_name = "purchase-list"

    def suggestions(self):
        self.filters = ReplenishmentFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return selectors.replenishment_suggestions(
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            include_zero=bool(data.get("all")),
        )

    def export_objects(self):
        return (s for s in self.suggestions() if s.suggested)

    def export_headers(self):
        return [
            _("Supplier code"),
            _("Supplier"),
            _("Supplier's code"),
            _("SKU"),
            _("Name"),
            _("Quantity to order"),
            _("Unit cost"),
            _("Line total"),
            _("Lead time (days)"),
            _("Available"),
            _("On order"),
            _("Daily demand"),
        ]

    def export_row(self, s):
        return [
            s.supplier_code,
            s.supplier_name,
            s.supplier_sku_code,
            s.sku_code,
            s.sku_name,
            s.suggested,
            s.unit_cost,
            s.line_total,
            s.lead_time_days,
            s.available,
            s.on_order,
            s.daily_demand,
        ]

    def get_context_data(self, **kwargs):
        suggestions = self.suggestions()  # sets self.filters, which the export mixin puts in the context
        ctx = super().get_context_data(**kwargs)
        groups: dict[str, dict] = {}
        for s in suggestions:
            group = groups.setdefault(
                s.supplier_code, {"code": s.supplier_code, "name": s.supplier_name, "rows": [], "total": 0}
            )
            group["rows"].append(s)
            group["total"] += s.line_total
        ctx["groups"] = list(groups.values())
        ctx["review_period"] = selectors.REVIEW_PERIOD_DAYS
        ctx["can_order"] = self.request.user.has_perm("inventory.manage_purchaseorder")
        ctx["order_form"] = SuggestionsToPOForm()
        return ctx


def sku_lookup_redirect(request):
    """Scan a SKU from anywhere: jump to its page."""
    if not request.user.has_perm("inventory.view_stocklevel"):
        raise PermissionDenied
    sku = selectors.sku_by_code_or_barcode(request.GET.get("code", ""))
    if sku is None:
        messages.error(request, _("No SKU with that code or barcode."))
        return redirect(reverse("inventory:stock-list"))
    return redirect(reverse("inventory:sku-detail", args=[sku.pk]))
