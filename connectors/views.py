"""Connector screens (shops, their page, messages to review, stock told) and the webhook endpoint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

from connectors import selectors, services
from connectors.crypto import decrypt_secrets, mask
from connectors.forms import ConnectionFilterForm, ConnectionForm, EventFilterForm, ListingFilterForm
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
                _("Platform"),
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
            headers = [_("Received"), _("Shop"), _("Topic"), _("Channel order id"), _("Status"), _("Order")]
            return export_response(
                name="shop-messages", fmt=request.GET["export"], headers=headers, rows=rows
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter_form": self.filter_form}


class EventRetryView(PermissionRequiredMixin, View):
    permission_required = "connectors.change_inboundevent"

    def post(self, request, pk: int):
        event = services.inbound_retry(event_id=pk, by=request.user)
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
