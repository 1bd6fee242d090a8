"""Public parcel tracking for customers: order number + phone digits, or the signed link from a message."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from fulfillment.forms import TrackingLookupForm
from fulfillment.selectors import public_tracking, public_tracking_for, shipment_from_token


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
