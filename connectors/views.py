"""Connector screens (shops, their page, messages to review, stock told) and the webhook endpoint."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

from connectors import selectors, services
from connectors.crypto import decrypt_secrets, mask
from connectors.forms import (
    ConnectionFilterForm,
    ConnectionForm,
    EventFilterForm,
    ListingFilterForm,
    MappingForm,
    MappingUploadForm,
)
from connectors.import_template import template_xlsx
from connectors.models import InboundEvent
from connectors.platforms import PlatformError, has_api
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.exports import export_response

PAGE = 50


@method_decorator([csrf_exempt, login_not_required], name="dispatch")
class WebhookView(View):
    """Where a shop posts its order webhooks: signed, so no session and no CSRF token."""

    def post(self, request, key: str):
        status = services.webhook_receive(webhook_key=key, body=request.body, headers=request.headers)
        return HttpResponse(status=status)


class ConnectionListView(PermissionRequiredMixin, ListView):
    permission_required = "connectors.view_connection"
    template_name = "connectors/connection_list.html"
    paginate_by = PAGE

    def get_queryset(self):
        self.filter_form = ConnectionFilterForm(self.request.GET or None)
        qs = selectors.connections_list()
        if self.filter_form.is_valid() and self.filter_form.cleaned_data["platform"]:
            qs = qs.filter(platform=self.filter_form.cleaned_data["platform"])
        return qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            rows = (
                [
                    c.channel.name,
                    c.get_platform_display(),
                    c.is_active,
                    c.last_webhook_at,
                    c.last_pull_at,
                    c.last_error,
                ]
                for c in self.get_queryset()
            )
            headers = [
                _("Channel"),
                pgettext("sales platform", "Platform"),
                _("Active"),
                _("Last webhook"),
                _("Last pull"),
                _("Last error"),
            ]
            return export_response(name="shops", fmt=request.GET["export"], headers=headers, rows=rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


def _connection(pk: int):
    try:
        return selectors.connection_detail(pk)
    except Exception as exc:  # noqa: BLE001 - DoesNotExist of any kind is a 404
        raise Http404(_("No such shop.")) from exc


class ConnectionDetailView(PermissionRequiredMixin, View):
    """The shop's page: platform, masked credentials, webhook address, last sync, errors, the latest calls."""

    permission_required = "connectors.view_connection"

    def get(self, request, pk: int):
        connection = _connection(pk)
        stored = decrypt_secrets(connection.secrets)
        context = {
            "connection": connection,
            "masked": {k: mask(v) for k, v in stored.items()},
            "webhook_url": request.build_absolute_uri(
                reverse("connectors:webhook", args=[connection.webhook_key])
            ),
            "has_api": has_api(connection.platform),
            "events": selectors.inbound_events(connection_id=pk)[:20],
            "platform_messages": selectors.platform_messages(connection_id=pk),
            "timeline": timeline_for(connection),
        }
        return render(request, "connectors/connection_detail.html", context)


class ConnectionEditView(PermissionRequiredMixin, View):
    permission_required = ("connectors.add_connection", "connectors.change_connection")
    template_name = "connectors/connection_form.html"

    def get(self, request, pk: int | None = None):
        connection = _connection(pk) if pk else None
        return render(
            request,
            self.template_name,
            {"form": ConnectionForm(instance=connection), "connection": connection},
        )

    def post(self, request, pk: int | None = None):
        connection = _connection(pk) if pk else None
        form = ConnectionForm(request.POST, instance=connection)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "connection": connection}, status=400)
        values = {f: form.cleaned_data[f] for f in form.Meta.fields}
        saved = services.connection_save(
            connection=connection, values=values, secrets=form.secrets(), by=request.user
        )
        messages.success(request, _("Shop saved."))
        return HttpResponseRedirect(reverse("connectors:detail", args=[saved.pk]))


class ConnectionActionView(PermissionRequiredMixin, View):
    """Test the connection, push stock now or pull orders now (buttons on the shop's page)."""

    permission_required = "connectors.test_connection"

    def post(self, request, pk: int, action: str):
        connection = _connection(pk)
        try:
            if action == "test":
                ok, answer = services.connection_test(connection_id=pk)
                (messages.success if ok else messages.error)(
                    request,
                    (_("Connection works: %(answer)s") if ok else _("Connection failed: %(answer)s"))
                    % {"answer": answer},
                )
            elif action == "stock":
                queued = services.stock_sync_due(connection_ids=[connection.pk], force=True)
                messages.success(
                    request,
                    _("Stock push queued.")
                    if queued
                    else _("Nothing to push (no listings, or stock push is off)."),
                )
            elif action == "pull":
                count = services.orders_pull(connection_id=pk)
                messages.success(request, _("%(count)s orders fetched.") % {"count": count})
            else:
                raise Http404
        except (PlatformError, DomainError) as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("connectors:detail", args=[pk]))


class EventListView(PermissionRequiredMixin, ListView):
    """Every order message the shops sent, with what became of it; those to review first by filter."""

    permission_required = "connectors.view_inboundevent"
    template_name = "connectors/event_list.html"
    paginate_by = PAGE

    def get_queryset(self):
        self.filter_form = EventFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        connection = data.get("connection")
        return selectors.inbound_events(
            connection_id=connection.pk if connection else None, status=data.get("status") or ""
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            rows = (
                [
                    e.received_at,
                    e.connection.channel.name,
                    e.topic,
                    e.external_id,
                    e.get_status_display(),
                    e.order.number if e.order else "",
                ]
                for e in self.get_queryset()
            )
            headers = [
                pgettext("shop message", "Received"),
                _("Shop"),
                _("Topic"),
                _("Channel order id"),
                _("Status"),
                _("Order"),
            ]
            return export_response(
                name="shop-messages", fmt=request.GET["export"], headers=headers, rows=rows
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


class EventRetryView(PermissionRequiredMixin, View):
    permission_required = "connectors.change_inboundevent"

    def post(self, request, pk: int):
        try:
            event = services.inbound_retry(event_id=pk, by=request.user)
        except InboundEvent.DoesNotExist as exc:
            raise Http404 from exc
        messages.info(request, _("Tried again: %(status)s.") % {"status": event.get_status_display()})
        return HttpResponseRedirect(reverse("connectors:events") + "?" + request.GET.urlencode())


class ListingListView(PermissionRequiredMixin, ListView):
    """What each shop was last told about each SKU's stock, and when."""

    permission_required = "connectors.view_listing"
    template_name = "connectors/listing_list.html"
    paginate_by = PAGE

    def get_queryset(self):
        self.filter_form = ListingFilterForm(self.request.GET or None)
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        connection = data.get("connection")
        return selectors.listings(connection_id=connection.pk if connection else None, q=data.get("q") or "")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") in ("csv", "xlsx"):
            rows = (
                [
                    item.connection.channel.name,
                    item.sku.code,
                    item.external_ref,
                    item.last_quantity,
                    item.last_pushed_at,
                    item.last_error,
                ]
                for item in self.get_queryset()
            )
            headers = [
                _("Shop"),
                _("SKU"),
                _("Platform product id"),
                _("Last told"),
                _("Told at"),
                _("Last error"),
            ]
            return export_response(name="shop-stock", fmt=request.GET["export"], headers=headers, rows=rows)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


class MappingView(PermissionRequiredMixin, View):
    """A shop's own order file: upload a sample, choose the file's column for each import column, save.
    The order import then reads that shop's files through the saved mapping."""

    permission_required = ("connectors.add_columnmapping", "connectors.change_columnmapping")
    template_name = "connectors/mapping.html"

    def get(self, request, pk: int):
        connection = _connection(pk)
        saved = selectors.column_mapping_for(connection.channel) or {}
        headers = sorted(set(saved.values()))
        form = MappingForm(headers=headers, initial_mapping=saved) if headers else None
        return self._render(request, connection, upload=MappingUploadForm(), form=form, headers=headers)

    def post(self, request, pk: int):
        from orders.importers import read_table

        connection = _connection(pk)
        saved = selectors.column_mapping_for(connection.channel) or {}
        if "file" in request.FILES:
            upload = MappingUploadForm(request.POST, request.FILES)
            if not upload.is_valid():
                return self._render(request, connection, upload=upload, form=None, headers=[], status=400)
            try:
                headers, _rows, _bad = read_table(
                    content=upload.cleaned_data["file"].read(), name=upload.cleaned_data["file"].name
                )
            except Exception as exc:  # noqa: BLE001 - an unreadable sample is a message, never a 500
                upload.add_error("file", _("The file cannot be read: %(error)s") % {"error": exc})
                return self._render(request, connection, upload=upload, form=None, headers=[], status=400)
            headers = [h for h in headers if h]
            form = MappingForm(headers=headers, initial_mapping=saved)
            return self._render(request, connection, upload=MappingUploadForm(), form=form, headers=headers)
        headers = _posted_headers(request)
        form = MappingForm(request.POST, headers=headers)
        if form.is_valid():
            try:
                services.column_mapping_save(
                    connection_id=connection.pk, columns=form.cleaned_data, by=request.user
                )
            except DomainError as exc:
                for field, errs in exc.field_errors.items():
                    for err in errs:
                        form.add_error(field, err)
            else:
                messages.success(request, _("Column mapping saved: this shop's files can now be imported."))
                return HttpResponseRedirect(reverse("connectors:detail", args=[connection.pk]))
        return self._render(
            request, connection, upload=MappingUploadForm(), form=form, headers=headers, status=400
        )

    def _render(self, request, connection, *, upload, form, headers, status=200):
        context = {
            "connection": connection,
            "upload": upload,
            "form": form,
            "headers_json": json.dumps(headers),
        }
        return render(request, self.template_name, context, status=status)


def _posted_headers(request) -> list[str]:
    try:
        headers = json.loads(request.POST.get("headers") or "[]")
    except ValueError:
        return []
    return [h for h in headers if isinstance(h, str)][:500]


class ImportTemplateView(View):
    """The order import's template (XLSX) in the reader's language; any signed-in user may download it."""

    def get(self, request):
        language = request.GET.get("lang") or request.LANGUAGE_CODE
        suffix = "zh" if language.startswith("zh") else "en"
        response = HttpResponse(
            template_xlsx(language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="order-import-template-{suffix}.xlsx"'
        return response
