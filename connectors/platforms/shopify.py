"""Shopify: order webhooks (orders/create, orders/updated, orders/cancelled), the Admin REST API for pulling
orders, fulfilments with tracking, and stock levels (API version pinned below).

Shopify signs a webhook with base64 HMAC-SHA256 of the raw body under the app's secret
(``X-Shopify-Hmac-Sha256``) and may deliver it more than once (``X-Shopify-Webhook-Id`` is the same).
"""

from __future__ import annotations

import re
from decimal import Decimal

from connectors.platforms.base import (
    PlatformAdapter,
    PlatformError,
    PlatformOrder,
    StockItem,
    http_json,
    money,
)
from orders.choices import PaymentMethod, PaymentStatus

API_VERSION = "2024-10"
PAID = {"paid", "partially_refunded"}
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


def _gateway_method(names) -> str:
    text = " ".join(str(n) for n in (names or [])).lower()
    if "cash on delivery" in text or "cod" in text.split():
        return PaymentMethod.COD
    if "alipay" in text:
        return PaymentMethod.ALIPAY
    if "wechat" in text or "weixin" in text:
        return PaymentMethod.WECHAT
    if "bank" in text or "manual" in text:
        return PaymentMethod.BANK_TRANSFER
    return PaymentMethod.CARD


def _person_name(data: dict | None) -> str:
    data = data or {}
    return (
        data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
    ).strip()


def _discount(order: dict) -> Decimal:
    """Line and shipping discount allocations; the order's ``total_discounts`` when it has none."""
    allocations = [
        money(a.get("amount"))
        for item in [*order.get("line_items", []), *order.get("shipping_lines", [])]
        for a in item.get("discount_allocations") or []
    ]
    return sum(allocations, Decimal("0.00")) if allocations else money(order.get("total_discounts"))


def order_body(order: dict) -> dict:
    """A Shopify order (webhook or REST) as the intake body."""
    address = order.get("shipping_address") or order.get("billing_address") or {}
    customer = order.get("customer") or {}
    phone = (
        customer.get("phone")
        or address.get("phone")
        or (order.get("billing_address") or {}).get("phone")
        or order.get("phone")
        or ""
    )
    name = _person_name(customer) or _person_name(address)
    paid = order.get("financial_status") in PAID
    method = _gateway_method(order.get("payment_gateway_names"))
    total = money(order.get("total_price"))
    if not order.get("taxes_included"):
        total -= money(order.get("total_tax"))  # the OMS keeps prices as charged, without a tax line
    line1 = ", ".join(p for p in (address.get("address1"), address.get("address2")) if p)
    return {
        "external_id": str(order.get("id") or ""),
        "placed_at": order.get("created_at") or order.get("processed_at"),
        "customer": {
            "name": name,
            "phone": phone,
            "email": order.get("email") or customer.get("email") or "",
        },
        "shipping_address": {
            "name": _person_name(address) or name,
            "phone": address.get("phone") or "",
            "province": address.get("province") or address.get("country") or "",
            # Shopify has no district: the city stands in for it.
            "city": address.get("city") or "",
            "district": address.get("district") or address.get("city") or "",
            "line1": line1,
            "postcode": address.get("zip") or "",
            "country": address.get("country_code") or "",
        },
        "lines": [
            {"sku": item.get("sku") or "", "quantity": item.get("quantity"), "unit_price": item.get("price")}
            for item in order.get("line_items", [])
        ],
        "shipping_fee": str(
            sum((money(s.get("price")) for s in order.get("shipping_lines", [])), Decimal("0.00"))
        ),
        "discount": str(_discount(order)),
        "payment": {
            "method": method,
            "status": PaymentStatus.PAID if paid else PaymentStatus.PENDING,
            "amount": str(total),
            "transaction_id": f"shopify-{order.get('id')}" if paid else "",
        },
        "note": (order.get("note") or "")[:1000],
    }


class ShopifyAdapter(PlatformAdapter):
    platform = "shopify"
    signature_header = "X-Shopify-Hmac-Sha256"
    delivery_header = "X-Shopify-Webhook-Id"
    topic_header = "X-Shopify-Topic"

    def order_from_payload(self, payload: dict) -> PlatformOrder:
        return PlatformOrder(
            external_id=str(payload.get("id") or ""),
            body=order_body(payload),
            paid=payload.get("financial_status") in PAID,
            cancelled=bool(payload.get("cancelled_at")),
            cancel_reason=str(payload.get("cancel_reason") or ""),
            listings=[
                (str(i.get("sku")), str(i.get("variant_id")))
                for i in payload.get("line_items", [])
                if i.get("sku") and i.get("variant_id")
            ],
        )

    # --- the Admin API -------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        return f"{self.base_url}/admin/api/{API_VERSION}/{path}"

    def _call(self, method: str, path: str, body=None):
        token = self.secrets.get("access_token", "")
        if not self.base_url or not token:
            raise PlatformError("Shopify: the shop address and the Admin API access token are needed")
        return http_json(method, self._url(path), headers={"X-Shopify-Access-Token": token}, body=body)

    def test_connection(self) -> str:
        return str((self._call("GET", "shop.json").data or {}).get("shop", {}).get("name", ""))

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict], str]:
        """Orders updated since the cursor (an ``updated_at``), following the ``Link: rel="next"`` pages."""
        path = "orders.json?status=any&limit=250&order=updated_at+asc"
        if cursor:
            path += f"&updated_at_min={cursor}"
        orders: list[dict] = []
        for _page in range(40):
            result = self._call("GET", path)
            orders.extend((result.data or {}).get("orders", []))
            match = NEXT_LINK.search(result.headers.get("Link", "") or "")
            if not match:
                break
            path = match.group(1)
        newest = max((o.get("updated_at") or "" for o in orders), default="")
        return orders, max(newest, cursor)

    def push_fulfillment(
        self,
        *,
        external_id: str,
        tracking_number: str,
        carrier: str,
        tracking_url: str,
        lines=None,
        final=True,
    ) -> str:
        """Fulfil the parcel's lines with its tracking number; a fulfilment already carrying it is kept (sent once)."""
        done = self._call("GET", f"orders/{external_id}/fulfillments.json").data or {}
        for fulfillment in done.get("fulfillments", []):
            if tracking_number in (
                fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
            ):
                return str(fulfillment.get("id"))
        wanted = self._line_quantities(external_id, lines)
        batches = self._fulfillment_order_lines(external_id, wanted)
        if not batches:
            raise PlatformError(f"Shopify: order {external_id} has nothing left to fulfil")
        body = {
            "fulfillment": {
                "line_items_by_fulfillment_order": batches,
                "tracking_info": {"number": tracking_number, "company": carrier, "url": tracking_url},
                "notify_customer": True,
            }
        }
        created = self._call("POST", "fulfillments.json", body).data or {}
        return str(created.get("fulfillment", {}).get("id", ""))

    def _line_quantities(self, external_id: str, lines) -> dict[int, int] | None:
        """Shopify line item id -> quantity in this parcel (None: the whole order)."""
        if not lines:
            return None
        items = (
            (self._call("GET", f"orders/{external_id}.json").data or {})
            .get("order", {})
            .get("line_items", [])
        )
        by_sku = {str(i.get("sku")): int(i["id"]) for i in items if i.get("sku")}
        return {by_sku[sku]: qty for sku, qty in lines if sku in by_sku}

    def _fulfillment_order_lines(self, external_id: str, wanted: dict[int, int] | None) -> list[dict]:
        data = self._call("GET", f"orders/{external_id}/fulfillment_orders.json").data or {}
        batches = []
        for fo in data.get("fulfillment_orders", []):
            if fo.get("status") not in ("open", "in_progress"):
                continue
            if wanted is None:
                batches.append({"fulfillment_order_id": fo["id"]})
                continue
            items = []
            for item in fo.get("line_items", []):
                qty = min(
                    int(item.get("fulfillable_quantity") or 0),
                    wanted.get(int(item.get("line_item_id") or 0), 0),
                )
                if qty > 0:
                    items.append({"id": item["id"], "quantity": qty})
                    wanted[int(item["line_item_id"])] -= qty
            if items:
                batches.append({"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": items})
        return batches

    def push_stock(self, items: list[StockItem]) -> dict[str, str]:
        """``inventory_levels/set`` for each item at the shop's location; the variant's stock id is looked up once."""
        if not self.connection.location_id:
            raise PlatformError("Shopify: set the location id on the shop page first")
        errors: dict[str, str] = {}
        for item in items:
            try:
                if not item.inventory_ref:
                    variant = self._call("GET", f"variants/{item.external_ref}.json").data or {}
                    item.inventory_ref = str(variant.get("variant", {}).get("inventory_item_id") or "")
                self._call(
                    "POST",
                    "inventory_levels/set.json",
                    {
                        "location_id": int(self.connection.location_id),
                        "inventory_item_id": int(item.inventory_ref),
                        "available": item.quantity,
                    },
                )
            except (PlatformError, ValueError) as exc:
                errors[item.sku_code] = str(exc)[:300]
        return errors
