"""A local fake of the Shopify Admin REST API and the WooCommerce REST API (http.server in a thread).

It answers the documented endpoints the adapters call with documented shapes, records every request, and can
be told to fail the next N calls (to prove retries). No test reaches the internet.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakePlatform:
    def __init__(self):
        self.requests: list[dict] = []
        self.fail_next = 0
        self.fail_status = 503
        self.orders: list[dict] = []  # what the orders endpoints list
        self.fulfillments: dict[str, list[dict]] = {}
        self.notes: dict[str, list[dict]] = {}
        self.inventory: dict[int, int] = {}
        self.stock: dict[int, int] = {}
        self.line_items = [{"id": 466157049, "sku": "SHOP-1", "quantity": 2}]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, data, headers: dict | None = None):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                record = {
                    "method": method,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "headers": dict(self.headers),
                    "json": json.loads(raw) if raw else None,
                }
                outer.requests.append(record)
                if outer.fail_next > 0:
                    outer.fail_next -= 1
                    return self._answer(outer.fail_status, {"errors": "Service unavailable"})
                status, data, headers = outer.route(method, url.path, record)
                return self._answer(status, data, headers)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- routes --------------------------------------------------------------------------------
    def route(self, method: str, path: str, record: dict):  # noqa: C901 - one fake, many endpoints
        parts = path.strip("/").split("/")
        if path.startswith("/admin/api/"):
            if record["headers"].get("X-Shopify-Access-Token") != "shpat_test":
                return 401, {"errors": "[API] Invalid API key or access token"}, None
            rest = "/".join(parts[3:])
            if rest == "shop.json":
                return 200, {"shop": {"id": 548380009, "name": "Fake Shop"}}, None
            if rest == "orders.json":
                return 200, {"orders": self.orders}, None
            if rest.endswith("/fulfillments.json") and method == "GET":
                return 200, {"fulfillments": self.fulfillments.get(parts[4], [])}, None
            if rest.endswith("/fulfillment_orders.json"):
                items = [
                    {
                        "id": 1025578640,
                        "line_item_id": li["id"],
                        "quantity": li["quantity"],
                        "fulfillable_quantity": li["quantity"],
                    }
                    for li in self.line_items
                ]
                return (
                    200,
                    {"fulfillment_orders": [{"id": 1046000823, "status": "open", "line_items": items}]},
                    None,
                )
            if rest.startswith("orders/") and rest.endswith(".json"):
                return (
                    200,
                    {"order": {"id": int(parts[4].split(".")[0]), "line_items": self.line_items}},
                    None,
                )
            if rest == "fulfillments.json" and method == "POST":
                body = record["json"]["fulfillment"]
                order_id = "450789469"
                fulfillment = {
                    "id": 255858046,
                    "tracking_numbers": [body["tracking_info"]["number"]],
                    "status": "success",
                }
                self.fulfillments.setdefault(order_id, []).append(fulfillment)
                return 201, {"fulfillment": fulfillment}, None
            if rest.startswith("variants/"):
                variant_id = int(parts[4].split(".")[0])
                return 200, {"variant": {"id": variant_id, "inventory_item_id": variant_id + 1000}}, None
            if rest == "inventory_levels/set.json":
                body = record["json"]
                self.inventory[body["inventory_item_id"]] = body["available"]
                return 200, {"inventory_level": {**body, "updated_at": "2026-12-03T10:00:00Z"}}, None
        if path.startswith("/wp-json/wc/v3/"):
            if not record["headers"].get("Authorization", "").startswith("Basic "):
                return 401, {"code": "woocommerce_rest_cannot_view"}, None
            rest = parts[3:]
            if rest == ["orders"]:
                page = int(record["query"].get("page", ["1"])[0])
                return 200, self.orders if page == 1 else [], None
            if len(rest) == 3 and rest[2] == "notes":
                if method == "GET":
                    return 200, self.notes.get(rest[1], []), None
                note = {
                    "id": 281,
                    "note": record["json"]["note"],
                    "customer_note": record["json"]["customer_note"],
                }
                self.notes.setdefault(rest[1], []).append(note)
                return 201, note, None
            if len(rest) == 2 and rest[0] == "orders" and method == "PUT":
                return 200, {"id": int(rest[1]), "status": record["json"]["status"]}, None
            if rest == ["products", "batch"] or (len(rest) == 4 and rest[3] == "batch"):
                answer = []
                for row in record["json"]["update"]:
                    self.stock[row["id"]] = row["stock_quantity"]
                    answer.append({"id": row["id"], "stock_quantity": row["stock_quantity"]})
                return 200, {"update": answer}, None
        return 404, {"errors": "Not Found"}, None
