"""JSON API for channels: order intake (one, batch) and order lookup, scoped to the token's channel."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api_parsers import StrictJSONParser
from oms.exceptions import DomainError
from orders.api_auth import ChannelTokenAuthentication, IsChannelClient
from orders.choices import OrderSource
from orders.models import Order
from orders.serializers import (
    AddressInSerializer,
    BatchInSerializer,
    BatchOutSerializer,
    ErrorsSerializer,
    OrderInSerializer,
    OrderOutSerializer,
)
from orders.services import (
    order_cancel,
    order_intake,
    order_mark_paid,
    orders_intake_batch,
    payment_mark_failed,
)
from orders.services.digest import CONFLICT_MESSAGE
from orders.services.editing import order_change_address


class ChannelAPIView(APIView):
    authentication_classes = [ChannelTokenAuthentication]
    permission_classes = [IsChannelClient]
    parser_classes = [StrictJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            body = {"detail": exc.message, **exc.field_errors}
            return Response(body, status=exc.http_status)
        return super().handle_exception(exc)


def _one(channel, data) -> tuple[int, dict]:
    return _answer(order_intake(channel=channel, data=data, source=OrderSource.API))


def _conflict(result) -> dict:
    return {
        "detail": str(CONFLICT_MESSAGE)
        % {
            "external_id": result.order.external_id,
            "number": result.order.number,
            "fields": ", ".join(result.conflict),
        },
        "order_number": result.order.number,
        "fields": result.conflict,
    }


def _answer(result) -> tuple[int, dict]:
    if result.errors:
        return status.HTTP_400_BAD_REQUEST, result.errors
    if result.conflict:
        return status.HTTP_409_CONFLICT, _conflict(result)
    code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
    return code, OrderOutSerializer(result.order).data


class OrderIntakeView(ChannelAPIView):
    @extend_schema(
        request=OrderInSerializer,
        responses={
            201: OrderOutSerializer,
            200: OrderOutSerializer,
            400: OpenApiResponse(description='Field errors: {"lines[1].sku": ["Unknown SKU SKU-999"]}'),
            409: OpenApiResponse(
                description="This external_id was taken in with other content: "
                '{"detail": …, "order_number": "SO…", "fields": ["lines", "payment"]}'
            ),
        },
        summary="Create an order (idempotent on external_id)",
    )
    def post(self, request):
        code, body = _one(request.auth.channel, request.data)
        return Response(body, status=code)


class OrderBatchView(ChannelAPIView):
    @extend_schema(
        request=BatchInSerializer,
        responses={200: BatchOutSerializer, 400: ErrorsSerializer},
        summary="Create up to 500 orders; each succeeds or fails on its own (approved ones are allocated in the same transaction, in priority order)",
    )
    def post(self, request):
        orders = request.data.get("orders") if isinstance(request.data, dict) else None
        if not isinstance(orders, list):
            return Response({"orders": [_("Give a list of orders.")]}, status=status.HTTP_400_BAD_REQUEST)
        if len(orders) > settings.OMS_INTAKE_BATCH_MAX:
            return Response(
                {"orders": [_("At most %(n)s orders per batch.") % {"n": settings.OMS_INTAKE_BATCH_MAX}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # One transaction for the batch, one savepoint per order; allocation follows in the batch task.
        outcomes = orders_intake_batch(channel=request.auth.channel, bodies=orders)
        # One serializer for every order answered (building one per order costs more than the intake).
        answers = iter(
            OrderOutSerializer([r.order for r in outcomes if not (r.errors or r.conflict)], many=True).data
        )
        results = []
        for body, result in zip(orders, outcomes, strict=True):
            external_id = body.get("external_id") if isinstance(body, dict) else None
            entry = {"external_id": external_id if isinstance(external_id, str) else None}
            if result.errors:
                entry.update(status=status.HTTP_400_BAD_REQUEST, errors=result.errors)
            elif result.conflict:
                entry.update(status=status.HTTP_409_CONFLICT, **_conflict(result))
            else:
                code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
                entry.update(status=code, order=next(answers))
            results.append(entry)
        return Response({"results": results}, status=status.HTTP_200_OK)


class OrderDetailAPIView(ChannelAPIView):
    @extend_schema(
        responses={200: OrderOutSerializer, 404: ErrorsSerializer}, summary="One order of this channel"
    )
    def get(self, request, number: str):
        order_id = _channel_order(request, number)
        order = Order.objects.select_related("channel").filter(pk=order_id).first() if order_id else None
        if order is None:
            return Response(
                {"detail": _("No order %(number)s in this channel.") % {"number": number}}, status=404
            )
        return Response(OrderOutSerializer(order).data)


class ReasonInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PaidInSerializer(serializers.Serializer):
    transaction_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


NUMBER = re.compile(r"[A-Z0-9-]{1,20}")


def _channel_order(request, number: str) -> int | None:
    if not NUMBER.fullmatch(number):  # also keeps NUL bytes and other junk away from the database
        return None
    return (
        Order.objects.filter(channel=request.auth.channel, number=number).values_list("pk", flat=True).first()
    )


class OrderCancelAPIView(ChannelAPIView):
    @extend_schema(
        request=ReasonInSerializer,
        responses={
            200: OrderOutSerializer,
            404: ErrorsSerializer,
            409: ErrorsSerializer,
            400: ErrorsSerializer,
        },
        summary="The buyer cancelled on the channel: cancel before shipment (409 when it is too late)",
    )
    def post(self, request, number: str):
        order_id = _channel_order(request, number)
        if order_id is None:
            return Response(
                {"detail": _("No order %(number)s in this channel.") % {"number": number}}, status=404
            )
        reason = request.data.get("reason") if isinstance(request.data, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            return Response({"reason": [_("This field is required.")]}, status=400)
        order = order_cancel(order_id=order_id, reason=reason[:300], check_perm=False)
        return Response(OrderOutSerializer(order).data)


class OrderPaidAPIView(ChannelAPIView):
    @extend_schema(
        request=PaidInSerializer,
        responses={200: OrderOutSerializer, 404: ErrorsSerializer, 409: ErrorsSerializer},
        summary="The channel confirms the payment of a pending order (409 unless it is pending payment)",
    )
    def post(self, request, number: str):
        order_id = _channel_order(request, number)
        if order_id is None:
            return Response(
                {"detail": _("No order %(number)s in this channel.") % {"number": number}}, status=404
            )
        transaction_id = request.data.get("transaction_id", "") if isinstance(request.data, dict) else ""
        order = order_mark_paid(order_id=order_id, transaction_id=str(transaction_id or "")[:100])
        return Response(OrderOutSerializer(order).data)


class FailedInSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class OrderPaymentFailedAPIView(ChannelAPIView):
    @extend_schema(
        request=FailedInSerializer,
        responses={200: OrderOutSerializer, 404: ErrorsSerializer, 409: ErrorsSerializer},
        summary="The payment of a pending order failed: the customer is sent a link to pay again (409 unless "
        "the order is pending payment)",
    )
    def post(self, request, number: str):
        order_id = _channel_order(request, number)
        if order_id is None:
            return Response(
                {"detail": _("No order %(number)s in this channel.") % {"number": number}}, status=404
            )
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        payment = payment_mark_failed(order_id=order_id, reason=str(reason or "")[:300])
        return Response(OrderOutSerializer(payment.order).data)


class AddressChangeInSerializer(serializers.Serializer):
    shipping_address = AddressInSerializer(
        help_text="The new delivery address (name and phone may be left out)"
    )


class OrderAddressAPIView(ChannelAPIView):
    @extend_schema(
        request=AddressChangeInSerializer,
        responses={
            200: OrderOutSerializer,
            400: ErrorsSerializer,
            404: ErrorsSerializer,
            409: ErrorsSerializer,
        },
        summary="The buyer changed the delivery address: allowed until the order is released to the warehouse",
    )
    def post(self, request, number: str):
        order_id = _channel_order(request, number)
        if order_id is None:
            return Response(
                {"detail": _("No order %(number)s in this channel.") % {"number": number}}, status=404
            )
        address = request.data.get("shipping_address") if isinstance(request.data, dict) else None
        if not isinstance(address, dict) or not address:
            return Response({"shipping_address": [_("Expected an object.")]}, status=400)
        result = order_change_address(
            order_id=order_id, address=address, channel_name=request.auth.channel.name
        )
        return Response(OrderOutSerializer(result.order).data)
