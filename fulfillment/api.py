"""Carrier push endpoint: tracking events for one shipment, authenticated by the carrier's shared secret."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fulfillment.carriers import adapter_for
from fulfillment.exceptions import InvalidWebhook
from fulfillment.models import Shipment
from fulfillment.services import tracking_record
from oms.exceptions import DomainError


@csrf_exempt
@login_not_required
@require_POST
def shipment_tracking_push(request: HttpRequest, pk: int) -> JsonResponse:
    """``POST /api/v1/shipments/{id}/tracking/`` with ``{"events": [...]}``; signed or with the token header."""
    shipment = get_object_or_404(Shipment.objects.select_related("carrier_service__carrier"), pk=pk)
    if shipment.carrier_service is None:
        return JsonResponse({"detail": "shipment has no carrier"}, status=409)
    adapter = adapter_for(shipment.carrier_service.carrier)
    if not adapter.verify_push(request.body, request.headers):
        return JsonResponse({"detail": InvalidWebhook().message}, status=403)
    try:
        updates = adapter.parse_push(request.body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; deep nesting recurses
        return JsonResponse({"detail": f"bad payload: {type(exc).__name__}: {exc}"[:300]}, status=400)
    try:
        new = tracking_record(shipment_id=shipment.pk, updates=updates, source="push")
    except DomainError as exc:
        return JsonResponse({"detail": exc.message}, status=exc.http_status)
    shipment.refresh_from_db()
    return JsonResponse({"shipment": shipment.number, "status": shipment.status, "new_events": new})
