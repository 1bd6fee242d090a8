"""Channel stock API: ``GET /api/v1/stock/?sku=SKU-001,SKU-002`` → sellable quantity per SKU and warehouse.

Who may call it: back-office users with ``inventory.view_stocklevel`` (session), and channel
integrations with their API token. The token authentication belongs to the orders app; inventory
never imports it, the settings name it (``OMS_STOCK_API_AUTHENTICATION``), so it is added here
when it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.selectors import stock_by_sku_codes

MAX_SKUS = 200


def channel_authentication_classes() -> list[type]:
    """Token authentication classes other apps provide (dotted paths in settings); missing ones are skipped."""
    classes = []
    for dotted in getattr(settings, "OMS_STOCK_API_AUTHENTICATION", []):
        try:
            classes.append(import_string(dotted))
        except ImportError:
            continue
    return classes


class CanSeeStock(permissions.BasePermission):
    message = _("You need the permission to view stock, or a channel API token.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        via_token = any(
            isinstance(request.successful_authenticator, cls) for cls in channel_authentication_classes()
        )
        return via_token or user.has_perm("inventory.view_stocklevel")


class WarehouseStockSerializer(serializers.Serializer):
    code = serializers.CharField()
    sellable = serializers.IntegerField()


class SKUStockSerializer(serializers.Serializer):
    sku = serializers.CharField()
    sellable = serializers.IntegerField(help_text="Available (on hand − reserved) over active warehouses")
    warehouses = WarehouseStockSerializer(many=True)


class StockResponseSerializer(serializers.Serializer):
    results = SKUStockSerializer(many=True)
    unknown = serializers.ListField(child=serializers.CharField(), help_text="SKU codes that do not exist")


class StockView(APIView):
    # The token first: a request without credentials is answered 401 with WWW-Authenticate, not 403.
    authentication_classes = [*channel_authentication_classes(), SessionAuthentication]
    permission_classes = [CanSeeStock]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "sku", str, required=True, description=f"Comma-separated SKU codes (at most {MAX_SKUS})"
            )
        ],
        responses=StockResponseSerializer,
    )
    def get(self, request):
        raw = request.query_params.get("sku", "")
        codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
        if not codes:
            raise ValidationError({"sku": [_("Give one or more SKU codes, e.g. ?sku=SKU-001,SKU-002.")]})
        if len(codes) > MAX_SKUS:
            raise ValidationError({"sku": [_("At most %(n)s SKU codes per request.") % {"n": MAX_SKUS}]})
        found = stock_by_sku_codes(codes=codes)
        return Response(
            {
                "results": [found[c] for c in codes if c in found],
                "unknown": [c for c in codes if c not in found],
            }
        )
