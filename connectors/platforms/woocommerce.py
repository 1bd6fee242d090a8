"""WooCommerce: order webhooks (order.created, order.updated) and the REST API v3 (orders, notes, stock).

WooCommerce signs a webhook with base64 HMAC-SHA256 of the raw body under the webhook's secret
(``X-WC-Webhook-Signature``); each delivery has its own ``X-WC-Webhook-Delivery-ID``.
"""

from __future__ import annotations

import base64
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

PAID = {"processing", "completed"}
CANCELLED = {"cancelled", "failed", "refunded"}
PAGE = 100


def _method(code: str, title: str) -> str:
    text = f"{code} {title}".lower()
    if code == "cod" or "cash on delivery" in text:
        return PaymentMethod.COD
    if code == "bacs" or "bank" in text:
        return PaymentMethod.BANK_TRANSFER
    if "alipay" in text:
        return PaymentMethod.ALIPAY
    if "wechat" in text or "weixin" in text:
        return PaymentMethod.WECHAT
    return PaymentMethod.CARD


def _name(data: dict) -> str:
    return " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p).strip()


def _unit_price(item: dict) -> str:
    """The unit price as charged (tax included; before the order's coupons, which are the discount)."""
    quantity = int(item.get("quantity") or 0) or 1
    gross = money(item.get("subtotal")) + money(item.get("subtotal_tax"))
    return str((gross / quantity).quantize(Decimal("0.01")))


def order_body(order: dict) -> dict:
    billing = order.get("billing") or {}
    shipping = order.get("shipping") or {}
    address = shipping if shipping.get("address_1") else billing
    paid = order.get("status") in PAID or bool(order.get("date_paid"))
    shipping_fee = money(order.get("shipping_total")) + money(order.get("shipping_tax"))
    discount = money(order.get("discount_total")) + money(order.get("discount_tax"))
    return {
        "external_id": str(order.get("id") or ""),
        "placed_at": (order.get("date_created_gmt") + "+00:00") if order.get("date_created_gmt") else None,
        "customer": {
            "name": _name(billing) or _name(shipping),
            "phone": billing.get("phone") or shipping.get("phone") or "",
            "email": billing.get("email") or "",
        },
        "shipping_address": {
            "name": _name(address),
            "phone": address.get("phone") or billing.get("phone") or "",
            "province": address.get("state") or address.get("country") or "",
            "city": address.get("city") or "",
            # WooCommerce has no district either: the city stands in for it.
            "district": address.get("city") or "",
            "line1": ", ".join(p for p in (address.get("address_1"), address.get("address_2")) if p),
            "postcode": address.get("postcode") or "",
            "country": address.get("country") or "",
        },
        "lines": [
            {"sku": item.get("sku") or "", "quantity": item.get("quantity"), "unit_price": _unit_price(item)}
            for item in order.get("line_items", [])
        ],
        "shipping_fee": str(shipping_fee),
        "discount": str(discount),
        "payment": {
            "method": _method(order.get("payment_method") or "", order.get("payment_method_title") or ""),
            "status": PaymentStatus.PAID if paid else PaymentStatus.PENDING,
            "amount": str(money(order.get("total"))),
            "transaction_id": (order.get("transaction_id") or f"woo-{order.get('id')}") if paid else "",
        },
        "note": (order.get("customer_note") or "")[:1000],
    }


class WooCommerceAdapter(PlatformAdapter):
    platform = "woocommerce"
    signature_header = "X-WC-Webhook-Signature"
    delivery_header = "X-WC-Webhook-Delivery-ID"
    topic_header = "X-WC-Webhook-Topic"

    def order_from_payload(self, payload: dict) -> PlatformOrder:
        return PlatformOrder(
            external_id=str(payload.get("id") or ""),
            body=order_body(payload),
            paid=payload.get("status") in PAID or bool(payload.get("date_paid")),
            cancelled=payload.get("status") in CANCELLED,
            cancel_reason=str(payload.get("status") or ""),
            listings=[
                (
                    str(i["sku"]),
                    f"{i['product_id']}/{i['variation_id']}"
                    if i.get("variation_id")
                    else str(i["product_id"]),
                )
                for i in payload.get("line_items", [])
                if i.get("sku") and i.get("product_id")
            ],
        )

    def _call(self, method: str, path: str, body=None):
        key, secret = self.secrets.get("consumer_key", ""), self.secrets.get("consumer_secret", "")
        if not self.base_url or not key or not secret:
            raise PlatformError("WooCommerce: the shop address, consumer key and consumer secret are needed")
        auth = base64.b64encode(f"{key}:{secret}".encode()).decode()
        return http_json(
            method,
            f"{self.base_url}/wp-json/wc/v3/{path}",
            headers={"Authorization": f"Basic {auth}"},
            body=body,
        )

    def test_connection(self) -> str:
        self._call("GET", "orders?per_page=1")
        return self.base_url

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict], str]:
        orders: list[dict] = []
        for page in range(1, 41):
            path = f"orders?orderby=modified&order=asc&per_page={PAGE}&page={page}"
            if cursor:
                path += f"&modified_after={cursor}"
            batch = self._call("GET", path).data or []
            orders.extend(batch)
            if len(batch) < PAGE:
                break
        newest = max((o.get("date_modified_gmt") or "" for o in orders), default="")
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
        """A customer note with the carrier and tracking number (once), then ``completed`` when all is shipped."""
        notes = self._call("GET", f"orders/{external_id}/notes").data or []
        if not any(tracking_number in (n.get("note") or "") for n in notes):
            text = f"Shipped with {carrier}, tracking number {tracking_number}"
            if tracking_url:
                text += f": {tracking_url}"
            self._call("POST", f"orders/{external_id}/notes", {"note": text, "customer_note": True})
        if final:
            self._call("PUT", f"orders/{external_id}", {"status": "completed"})
        return tracking_number

    def push_stock(self, items: list[StockItem]) -> dict[str, str]:
        """Products in batches of 100 (``products/batch``); variations through their product's batch."""
        errors: dict[str, str] = {}
        groups: dict[str, list[tuple[StockItem, int]]] = {}
        for item in items:
            product, _sep, variation = item.external_ref.partition("/")
            path = f"products/{product}/variations/batch" if variation else "products/batch"
            try:
                groups.setdefault(path, []).append((item, int(variation or product)))
            except ValueError:
                errors[item.sku_code] = f"not a WooCommerce product id: {item.external_ref}"
        for path, entries in groups.items():
            for start in range(0, len(entries), PAGE):
                chunk = entries[start : start + PAGE]
                body = {
                    "update": [
                        {"id": i, "manage_stock": True, "stock_quantity": it.quantity} for it, i in chunk
                    ]
                }
                try:
                    answer = self._call("POST", path, body).data or {}
                except PlatformError as exc:
                    errors.update({it.sku_code: str(exc)[:300] for it, _i in chunk})
                    continue
                by_id = {it_id: it for it, it_id in chunk}
                for row in answer.get("update", []):
                    if row.get("error") and row.get("id") in by_id:
                        errors[by_id[row["id"]].sku_code] = str(row["error"].get("message", row["error"]))[
                            :300
                        ]
        return errors
