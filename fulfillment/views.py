"""Screens of the fulfillment app: waves, pick lists, pack station, shipping, shipment lists, public tracking."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from fulfillment import services
from fulfillment.choices import ScanResult, ShipmentStatus
from fulfillment.forms import (
    CarrierOverrideForm,
    PackDoneForm,
    ScanForm,
    ShipForm,
    ShipmentFilterForm,
    SupplierDispatchForm,
    TrackingLookupForm,
    WaveBuildForm,
)
from fulfillment.models import PickWave, Shipment
from fulfillment.pdf import render_slips
from fulfillment.selectors import (
    allocated_orders_without_parcels,
    pending_by_warehouse_carrier,
    public_tracking,
    public_tracking_for,
    recent_scans,
    shipment_detail,
    shipment_from_token,
    shipment_just_shipped,
    shipments_filtered,
    shipments_list,
    slips_data,
    waves_today,
)
from fulfillment.services import PackStationKind
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.jobs import job_start
from oms.redirects import safe_next_url

S = ShipmentStatus


def _today_start():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


# --- waves and pick lists -----------------------------------------------------------------


class WaveListView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.build_wave"

    def get(self, request, form=None):
        return render(
            request,
            "fulfillment/waves.html",
            {
                "waves": waves_today(),
                "pending": pending_by_warehouse_carrier(),
                "awaiting_parcels": allocated_orders_without_parcels().count(),
                "form": form or WaveBuildForm(),
            },
        )

    def post(self, request):
        form = WaveBuildForm(request.POST)
        if form.is_valid():
            try:
                wave = services.wave_build(
                    warehouse_id=form.cleaned_data["warehouse"].pk,
                    carrier_id=form.cleaned_data["carrier"].pk if form.cleaned_data["carrier"] else None,
                    cutoff_at=form.cleaned_data["cutoff_at"],
                    limit=form.cleaned_data["limit"],
                    by=request.user,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Wave %(number)s built.") % {"number": wave.number})
                return HttpResponseRedirect(reverse("fulfillment:wave", args=[wave.pk]))
        return self.get(request, form=form)


class WaveDetailView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.view_pickwave"

    def get(self, request, pk):
        wave = get_object_or_404(PickWave.objects.select_related("warehouse", "carrier"), pk=pk)
        shipments = shipments_list().filter(wave=wave).order_by("pk")
        return render(request, "fulfillment/wave_detail.html", {"wave": wave, "shipments": shipments})


class WavePrintView(PermissionRequiredMixin, View):
    """Start rendering the pick list (or the wave's shipping slips) in a worker; show its progress page."""

    permission_required = "fulfillment.print_picklist"
    handlers = {
        "picklist": "fulfillment.tasks.render_picklist_job",
        "sortlist": "fulfillment.tasks.render_sortlist_job",
        "slips": "fulfillment.tasks.render_slips_job",
    }

    def post(self, request, pk, kind):
        wave = get_object_or_404(PickWave, pk=pk)
        if kind not in self.handlers:
            raise Http404
        label = {"picklist": _("Pick list"), "sortlist": _("Sort list"), "slips": _("Shipping slips")}[kind]
        job = job_start(
            kind=f"{label} {wave.number}",
            handler=self.handlers[kind],
            params={"wave_id": wave.pk, "language": translation.get_language()},
            by=request.user,
        )
        return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))


# --- pack station --------------------------------------------------------------------------


def _pack_context(request, shipment: Shipment | None, outcome=None, done_form=None) -> dict:
    ctx = {"outcome": outcome, "form": ScanForm(), "done_form": done_form or PackDoneForm()}
    if shipment is not None:
        shipment = shipment_detail(shipment.pk)
        lines = list(shipment.lines.all())
        ctx.update(
            {
                "shipment": shipment,
                "lines": lines,
                "verified": sum(line.verified_qty for line in lines),
                "total": sum(line.quantity for line in lines),
                "scans": recent_scans(shipment.pk),
            }
        )
        ctx["complete"] = ctx["verified"] == ctx["total"]
    return ctx


def _pack_render(request, ctx: dict) -> HttpResponse:
    if not request.htmx:
        return render(request, "fulfillment/pack.html", ctx)
    # The whole parcel panel (and the verdict, out of band); the scan field outside it is never replaced,
    # so keystrokes of the next scan arriving meanwhile stay where they are.
    response = render(request, "fulfillment/inc/pack_panel.html", {**ctx, "state_oob": True})
    response["HX-Retarget"] = "#pack-panel"
    response["HX-Reswap"] = "innerHTML"
    return response


def _parcel_scan_response(request, result) -> HttpResponse:
    """A parcel's barcode was scanned: show that parcel (or the refusal) in the whole panel."""
    if result.kind in (PackStationKind.OPENED, PackStationKind.SWITCHED) and not request.htmx:
        return HttpResponseRedirect(reverse("fulfillment:pack-shipment", args=[result.shipment.pk]))
    return _pack_render(request, _pack_context(request, result.shipment, result.outcome))


def _item_scan_response(request, shipment: Shipment, result) -> HttpResponse:
    outcome = result.outcome
    if not request.htmx:
        return _pack_render(request, _pack_context(request, shipment, outcome))
    # Only what changed: the verdict, the scanned line and the counters (constant work per scan).
    return render(
        request,
        "fulfillment/inc/pack_scan_result.html",
        {
            "outcome": outcome,
            "shipment": result.shipment or shipment,
            "verified": outcome.verified,
            "total": outcome.total,
            "complete": outcome.total > 0 and outcome.verified == outcome.total,
            "scans": recent_scans(shipment.pk),
        },
    )


class PackStationView(PermissionRequiredMixin, View):
    """Step 1: scan the parcel's barcode."""

    permission_required = "fulfillment.pack_shipment"

    def get(self, request):
        return render(request, "fulfillment/pack.html", _pack_context(request, None))

    def post(self, request):
        form = ScanForm(request.POST)
        if not form.is_valid():
            return _pack_render(request, _pack_context(request, None))
        result = services.pack_station_scan(
            open_shipment_id=None, code=form.cleaned_data["code"], by=request.user
        )
        return _parcel_scan_response(request, result)


class PackShipmentView(PermissionRequiredMixin, View):
    """Step 2: scan each item; the parcel turns green when every unit is verified."""

    permission_required = "fulfillment.pack_shipment"

    def get(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        return render(request, "fulfillment/pack.html", _pack_context(request, shipment))

    def post(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        form = ScanForm(request.POST)
        if not form.is_valid():
            return _pack_render(request, _pack_context(request, shipment))
        result = services.pack_station_scan(
            open_shipment_id=shipment.pk, code=form.cleaned_data["code"], by=request.user
        )
        if result.parcel_scan:
            return _parcel_scan_response(request, result)
        return _item_scan_response(request, shipment, result)


class PackDoneView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.pack_shipment"

    def post(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        form = PackDoneForm(request.POST)
        if not form.is_valid():
            return _pack_render(request, _pack_context(request, shipment, done_form=form))
        try:
            shipment = services.shipment_mark_packed(
                shipment_id=shipment.pk, weight_g=form.cleaned_data["weight_g"], by=request.user
            )
        except DomainError as exc:
            outcome = services.ScanOutcome(ScanResult.WRONG_ITEM, exc.message)
            return _pack_render(request, _pack_context(request, shipment, outcome))
        if shipment.status == S.REVIEW:
            messages.warning(request, shipment.review_reason + " " + _("Sent to review."))
        else:
            messages.success(request, _("%(number)s packed.") % {"number": shipment.number})
        url = reverse("fulfillment:pack") + f"?packed={shipment.pk}"
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


# --- shipping ------------------------------------------------------------------------------


class ToShipView(PermissionRequiredMixin, ListView):
    """Parcels packed but not shipped: type or fetch the tracking number, ship, print the slip."""

    permission_required = "fulfillment.ship_shipment"
    template_name = "fulfillment/to_ship.html"
    paginate_by = 50

    def get_queryset(self):
        return shipments_list().filter(status__in=[S.PACKED, S.REVIEW]).order_by("packed_at", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # The parcel just shipped: its slip (with the tracking number) is the next thing to print.
        shipped = self.request.GET.get("shipped", "")
        ctx["just_shipped"] = shipment_just_shipped(int(shipped)) if shipped.isdigit() else None
        return ctx


class ShippedTodayView(PermissionRequiredMixin, ListView):
    permission_required = "fulfillment.view_shipment"
    template_name = "fulfillment/shipped_today.html"
    paginate_by = 50

    def get_queryset(self):
        return shipments_list().filter(shipped_at__gte=_today_start()).order_by("-shipped_at", "-pk")


class ShipView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.ship_shipment"

    def post(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        form = ShipForm(request.POST)
        form.is_valid()
        try:
            shipment = services.shipment_ship(
                shipment_id=shipment.pk,
                tracking_number=form.cleaned_data.get("tracking_number", ""),
                by=request.user,
            )
        except DomainError as exc:
            messages.error(request, f"{shipment.number}: {exc.message}")
            shipped = ""
        else:
            messages.success(
                request,
                _("%(number)s shipped with tracking number %(tracking)s.")
                % {"number": shipment.number, "tracking": shipment.tracking_number},
            )
            shipped = f"?shipped={shipment.pk}"
        return HttpResponseRedirect(safe_next_url(request, fallback=reverse("fulfillment:to-ship") + shipped))


class SlipView(PermissionRequiredMixin, View):
    """The shipping slip (发货单) of one parcel as a PDF; print again at any time."""

    permission_required = "fulfillment.ship_shipment"

    def get(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        pdf = render_slips(slips=slips_data(shipment_ids=[shipment.pk]))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="slip-{shipment.number}.pdf"'
        return response


# --- operations ----------------------------------------------------------------------------


class ShipmentListView(PermissionRequiredMixin, ListView):
    permission_required = "fulfillment.view_shipment"
    template_name = "fulfillment/shipment_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = ShipmentFilterForm(self.request.GET or None)
        if not self.filter_form.is_valid():
            return shipments_filtered()
        data = self.filter_form.cleaned_data
        return shipments_filtered(
            q=data["q"],
            status=data["status"],
            warehouse=data["warehouse"],
            late=data["late"],
            supplier=data["supplier"],
            drop_ship=data["drop_ship"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        return ctx


class ShipmentDetailView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.view_shipment"

    def context(self, request, shipment, **forms):
        shipment = shipment_detail(shipment.pk)
        lines = list(shipment.lines.all())
        return {
            "shipment": shipment,
            "lines": lines,
            "events": shipment.events.all(),
            "timeline": timeline_for(shipment),
            "override_form": forms.get("override_form") or CarrierOverrideForm(),
            "dispatch_form": forms.get("dispatch_form") or SupplierDispatchForm(lines=lines),
            "scans": recent_scans(shipment.pk, limit=20),
        }

    def get(self, request, pk):
        shipment = get_object_or_404(Shipment, pk=pk)
        return render(request, "fulfillment/shipment_detail.html", self.context(request, shipment))


class ShipmentActionView(PermissionRequiredMixin, View):
    """Operations' actions on one shipment; each checks its own permission."""

    permissions = {
        "override": "fulfillment.override_carrier",
        "approve": "fulfillment.approve_dropship",
        "dispatch": "fulfillment.approve_dropship",
        "release-review": "fulfillment.review_shipment",
        "cancel": "fulfillment.change_shipment",
    }

    def get_permission_required(self):
        return [self.permissions.get(self.kwargs["action"], "fulfillment.change_shipment")]

    def post(self, request, pk, action):
        if action not in self.permissions:
            raise Http404
        shipment = get_object_or_404(Shipment, pk=pk)
        detail = ShipmentDetailView()
        try:
            if action == "override":
                form = CarrierOverrideForm(request.POST)
                if not form.is_valid():
                    ctx = detail.context(request, shipment, override_form=form)
                    return render(request, "fulfillment/shipment_detail.html", ctx, status=400)
                services.shipment_override_carrier(
                    shipment_id=pk,
                    carrier_service_id=form.cleaned_data["carrier_service"].pk,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            elif action == "approve":
                services.shipment_approve_drop_ship(shipment_id=pk, by=request.user)
            elif action == "dispatch":
                form = SupplierDispatchForm(request.POST, lines=shipment.lines.select_related("sku"))
                if not form.is_valid():
                    ctx = detail.context(request, shipment, dispatch_form=form)
                    return render(request, "fulfillment/shipment_detail.html", ctx, status=400)
                services.shipment_record_supplier_dispatch(
                    shipment_id=pk,
                    tracking_number=form.cleaned_data["tracking_number"],
                    quantities=form.quantities(),
                    by=request.user,
                )
            elif action == "release-review":
                services.shipment_release_review(shipment_id=pk, by=request.user)
            elif action == "cancel":
                services.shipment_cancel(
                    shipment_id=pk, by=request.user, reason=request.POST.get("reason", "")
                )
        except DomainError as exc:
            messages.error(request, f"{shipment.number}: {exc.message}")
        else:
            done = {
                "override": _("%(number)s: carrier changed."),
                "approve": _("%(number)s approved; the supplier has been sent the request."),
                "dispatch": _("%(number)s: the supplier's dispatch is recorded."),
                "release-review": _("%(number)s released from review: packed."),
                "cancel": _("%(number)s cancelled."),
            }[action]
            messages.success(request, done % {"number": shipment.number})
        return HttpResponseRedirect(reverse("fulfillment:shipment", args=[pk]))


# --- public tracking -------------------------------------------------------------------------


def _public_page(request, shipments, form, status=200):
    # Only status and events: no name, no address, no phone.
    return render(
        request, "fulfillment/tracking_public.html", {"shipments": shipments, "form": form}, status=status
    )


@method_decorator(login_not_required, name="dispatch")
class PublicTrackingView(View):
    """Order number + the phone's last four digits. Guessing is throttled twice: lookups per address, and
    failed lookups per order number (so four digits cannot be tried from many addresses either)."""

    def get(self, request):
        form = TrackingLookupForm(request.GET or None)
        shipments = None
        if form.is_valid():
            number = form.cleaned_data["order_number"].strip().upper()
            if self._limited(request, "ip", settings.OMS_TRACKING_RATE_PER_ADDRESS) or self._limited(
                request, number, settings.OMS_TRACKING_FAILURES_PER_ORDER, increment=False
            ):
                form.add_error(None, _("Too many lookups. Wait a few minutes, then try again."))
                return _public_page(request, None, form, status=429)
            shipments = public_tracking(number, form.cleaned_data["phone_last4"])
            if shipments is None:
                self._limited(request, number, settings.OMS_TRACKING_FAILURES_PER_ORDER)
                form.add_error(None, _("No order matches this number and phone. Check both and try again."))
        return _public_page(request, shipments, form)

    @staticmethod
    def _limited(request, key: str, rate: str, *, increment: bool = True) -> bool:
        """Whether ``key`` (the address, or an order number) has used up ``rate``; counts this try when
        ``increment``. A failed lookup is counted after the answer, so the limit is reached exactly."""
        usage = get_usage(
            request,
            group=f"tracking:{'address' if key == 'ip' else 'order'}",
            key="ip" if key == "ip" else (lambda _group, _request: key),
            rate=rate,
            method=ALL,
            increment=increment,
        )
        return usage is not None and usage["count"] > usage["limit"] - (0 if increment else 1)


@method_decorator(login_not_required, name="dispatch")
class SignedTrackingView(View):
    def get(self, request, token):
        shipment = shipment_from_token(token)
        if shipment is None:
            return _public_page(request, None, TrackingLookupForm(), status=404)
        shipments = public_tracking_for(shipment)
        # The link was sent to the customer: answer in their language, whatever the browser says.
        language = shipment.customer.language or settings.LANGUAGE_CODE
        with translation.override(language):
            response = _public_page(request, shipments, None)
        response["Content-Language"] = language
        return response
