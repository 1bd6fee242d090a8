"""Order import screens: upload a file, preview it (a dry run), import the good rows, get the bad ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from oms.exports import export_response
from orders.choices import OrderSource
from orders.forms import ImportUploadForm


class ImportView(PermissionRequiredMixin, View):
    permission_required = "orders.import_order"
    template_name = "orders/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportUploadForm()})

    def post(self, request):
        from orders.importers import import_preview_store

        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        channel = form.cleaned_data["channel"]
        upload = form.cleaned_data["file"]
        token = import_preview_store(
            upload=upload, channel_id=channel.pk if channel else None, user=request.user
        )
        return HttpResponseRedirect(reverse("orders:import-preview", args=[token]))


class ImportPreviewView(PermissionRequiredMixin, View):
    permission_required = "orders.import_order"
    template_name = "orders/import_preview.html"

    def get(self, request, token: str):
        stored = _stored_import(request, token)
        report = stored.check()
        if request.GET.get("download") == "bad":
            return bad_rows_csv(report)
        return render(request, self.template_name, {"report": report, "token": token})

    def post(self, request, token: str):
        stored = _stored_import(request, token)
        started = timezone.now()
        report = stored.run(by=request.user, good_rows_only=True)
        messages.success(
            request,
            _("%(written)s orders imported, %(existing)s already there, %(bad)s bad rows left out.")
            % {"written": report.written, "existing": report.existing, "bad": len(report.errors)},
        )
        stored.delete()
        # The list opens on the orders this import wrote (one transaction: created between these times).
        query = urlencode(
            {
                "source": OrderSource.IMPORT,
                "created_from": started.isoformat(),
                "created_to": timezone.now().isoformat(),
            }
        )
        return HttpResponseRedirect(reverse("orders:list") + "?" + query)


def _stored_import(request, token: str):
    from orders.importers import ImportNotFound, import_preview_load

    try:
        return import_preview_load(token=token, user=request.user)
    except ImportNotFound as exc:
        raise Http404(str(exc)) from exc


def bad_rows_csv(report) -> HttpResponse:
    """The rows left out, with the reason, for the user to fix and upload again."""
    headers = [_("row"), _("reason"), *report.headers]
    rows = ([row["row"], row["message"], *row["values"]] for row in report.bad_rows)
    return export_response(name="bad-rows", fmt="csv", headers=headers, rows=rows, stamp=False)
