"""Screens of electronic waybills: print a wave's labels, a parcel's label (reprint with a reason), batch ship
by scanning, ship the ticked parcels of the to-ship list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from fulfillment import services
from fulfillment.forms import ScanForm, ShipSelectedForm, WaybillPrintForm, WaybillReprintForm
from fulfillment.labels import labels_data, render_labels_pdf, render_labels_zpl, waybills_for_labels
from fulfillment.models import PickWave, Shipment
from fulfillment.selectors_waybills import packed_ids_among, shipment_waybills, shipped_today
from oms.exceptions import DomainError
from oms.jobs import job_start


def waybill_context(shipment, **forms) -> dict:
    """What the parcel page shows about its waybills (used by ShipmentDetailView)."""
    return {
        "waybills": shipment_waybills(shipment.pk),
        "waybill_print_form": forms.get("waybill_print_form") or WaybillPrintForm(),
        "waybill_reprint_form": forms.get("waybill_reprint_form") or WaybillReprintForm(),
    }


def _label_response(waybill, *, size: str, output: str) -> HttpResponse:
    labels = labels_data(waybills_for_labels([waybill.pk]))
    if output == "zpl":
        response = HttpResponse(render_labels_zpl(labels, size=size), content_type="application/zpl")
        response["Content-Disposition"] = f'attachment; filename="waybill-{waybill.number}.zpl"'
        return response
    response = HttpResponse(render_labels_pdf(labels, size=size), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="waybill-{waybill.number}.pdf"'
    return response


class WaveWaybillsView(PermissionRequiredMixin, View):
    """Every waybill of a wave in pick order, one PDF, rendered by a worker with progress."""

    permission_required = "fulfillment.print_picklist"

    def post(self, request, pk):
        wave = get_object_or_404(PickWave, pk=pk)
        form = WaybillPrintForm(request.POST)
        size = form.cleaned_data["size"] if form.is_valid() else "100x180"
        job = job_start(
            kind=f"{_('Waybills')} {wave.number}",
            handler="fulfillment.tasks.render_waybills_job",
            params={"wave_id": wave.pk, "size": size, "language": translation.get_language()},
            by=request.user,
        )
        return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))


class WaybillView(PermissionRequiredMixin, View):
    """The parcel's label: the first print fetches the waybill if needed; a reprint needs a reason."""

    permission_required = "fulfillment.ship_shipment"

    def post(self, request, pk, action):
        shipment = get_object_or_404(Shipment, pk=pk)
        back = HttpResponseRedirect(reverse("fulfillment:shipment", args=[pk]))
        reprint = action == "reprint"
        if reprint and not request.user.has_perm("fulfillment.reprint_waybill"):
            messages.error(request, _("You may not reprint waybills."))
            return back
        form = (WaybillReprintForm if reprint else WaybillPrintForm)(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose why the label is printed again."))
            return back
        data = form.cleaned_data
        try:
            if reprint:
                waybill = services.waybill_for_reprint(shipment_id=pk, reason=data["reason"])
            else:
                waybill = services.waybill_issue(shipment_id=pk, by=request.user)
                if waybill.print_count:
                    messages.error(request, _("This label was printed before: reprint it with a reason."))
                    return back
        except DomainError as exc:
            messages.error(request, f"{shipment.number}: {exc.message}")
            return back
        response = _label_response(waybill, size=data["size"], output=data["output"])
        services.waybill_record_print(
            waybill_ids=[waybill.pk],
            reason=data.get("reason", ""),
            detail=data.get("detail", ""),
            by=request.user,
        )
        return response


class BatchShipView(PermissionRequiredMixin, View):
    """扫描发货: scan each parcel's label; it ships with its waybill. No mouse, no lost keystroke."""

    permission_required = "fulfillment.ship_shipment"

    def get(self, request):
        return render(
            request,
            "fulfillment/batch_ship.html",
            {"form": ScanForm(), "recent": shipped_today(limit=20)},
        )

    def post(self, request):
        form = ScanForm(request.POST)
        code = request.POST.get("code", "").strip()
        result = {"code": code, "ok": False, "shipment": None, "parcel": None, "message": ""}
        if form.is_valid():
            try:
                shipment = services.shipment_ship_scanned(code=code, by=request.user)
            except DomainError as exc:
                result.update(message=exc.message, parcel=services.shipment_for_code(code))
            else:
                result.update(ok=True, shipment=shipment)
        else:
            result["message"] = _("Scan a label.")
        if request.htmx:
            return render(request, "fulfillment/inc/batch_ship_row.html", {"row": result})
        if result["ok"]:
            messages.success(
                request,
                _("%(number)s shipped with tracking number %(tracking)s.")
                % {"number": result["shipment"].number, "tracking": result["shipment"].tracking_number},
            )
        else:
            messages.error(request, f"{code}: {result['message']}")
        return HttpResponseRedirect(reverse("fulfillment:batch-ship"))


class ShipSelectedView(PermissionRequiredMixin, View):
    """The ticked parcels of the to-ship list leave, each with its waybill (fetched when missing)."""

    permission_required = "fulfillment.ship_shipment"

    def post(self, request):
        posted = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        form = ShipSelectedForm(request.POST, choices=packed_ids_among(posted))
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("ids", [])))
            return HttpResponseRedirect(reverse("fulfillment:to-ship"))
        shipped, refused = services.shipments_ship_selected(
            shipment_ids=form.cleaned_data["ids"], by=request.user
        )
        if shipped:
            messages.success(
                request,
                _("Shipped: %(numbers)s.")
                % {"numbers": ", ".join(f"{s.number} ({s.tracking_number})" for s in shipped)},
            )
        for number, message in refused.items():
            messages.error(request, f"{number}: {message}")
        return HttpResponseRedirect(reverse("fulfillment:to-ship"))
