"""Fake carrier waybill APIs (顺丰, 中通, 圆通, 韵达, 京东, 快递鸟, 菜鸟) on 127.0.0.1 for the adapter tests.

Each endpoint checks the request's signature the way that carrier documents it (computed here on its own,
not with the OMS's code) and answers in that carrier's shape: a waybill number and sorting code, or the
carrier's own error for a bad signature or when ``state.refuse`` is set; ``state.http_status`` answers a
bare HTTP error instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _b64md5(text: str) -> str:
    return base64.b64encode(hashlib.md5(text.encode()).digest()).decode()


@dataclass
class FakeWaybillState:
    secret: str = "s3cret-key"
    url: str = ""
    next_number: int = 1
    refuse: str = ""  # a business error message the carrier answers with
    http_status: int | None = None
    calls: list[dict] = field(default_factory=list)  # {"api", "action", "signature_ok", "payload"}
    lock: threading.Lock = field(default_factory=threading.Lock)

    def number(self, prefix: str) -> str:
        with self.lock:
            n = self.next_number
            self.next_number += 1
        return f"{prefix}{n:010d}"

    def record(self, api: str, action: str, ok: bool, payload) -> None:
        self.calls.append({"api": api, "action": action, "signature_ok": ok, "payload": payload})


def _sf(state, path, headers, raw):
    form = dict(urllib.parse.parse_qsl(raw.decode()))
    expected = _b64md5(urllib.parse.quote_plus(form["msgData"] + form["timestamp"] + state.secret))
    ok = expected == form.get("msgDigest")
    action = "cancel" if form["serviceCode"] == "EXP_RECE_UPDATE_ORDER" else "issue"
    state.record("sf", action, ok, json.loads(form["msgData"]))
    if not ok:
        return {"apiResultCode": "A1006", "apiErrorMsg": "数字签名无效", "apiResultData": None}
    if state.refuse:
        data = {"success": False, "errorCode": "8016", "errorMsg": state.refuse}
    elif action == "cancel":
        data = {"success": True, "errorCode": "S0000", "msgData": {"resStatus": 2}}
    else:
        data = {
            "success": True,
            "errorCode": "S0000",
            "msgData": {
                "waybillNoInfoList": [{"waybillType": 1, "waybillNo": state.number("SF")}],
                "routeLabelInfo": [
                    {"routeLabelData": {"destRouteLabel": "571WE-010", "codingMapping": "F33"}}
                ],
            },
        }
    return {
        "apiResultCode": "A1000",
        "apiErrorMsg": "",
        "apiResultData": json.dumps(data, ensure_ascii=False),
    }


def _zto(state, path, headers, raw):
    body = raw.decode()
    ok = headers.get("x-dataDigest") == _b64md5(body + state.secret) and headers.get("x-appKey") == "ZTO-KEY"
    action = "cancel" if path.endswith("cancelPreOrder") else "issue"
    state.record("zto", action, ok, json.loads(body))
    if not ok:
        return {"status": False, "statusCode": "S100", "message": "签名校验失败"}
    if state.refuse:
        return {"status": False, "statusCode": "E1001", "message": state.refuse}
    if action == "cancel":
        return {"status": True, "statusCode": "0", "message": "", "result": {}}
    mark = {"mark": "300-W01 012", "bagAddr": "杭州集包"}
    return {"status": True, "result": {"billCode": state.number("7531"), "bigMarkInfo": mark}}


def _yto(state, path, headers, raw):
    envelope = json.loads(raw)
    method = path.strip("/").split("/")[0]
    ok = envelope.get("sign") == _b64md5(envelope["param"] + method + "v1" + state.secret)
    action = "cancel" if method == "korder_cancel_adapter" else "issue"
    state.record("yto", action, ok, json.loads(envelope["param"]))
    if not ok:
        return {"success": False, "code": "S01", "reason": "非法的数字签名"}
    if state.refuse:
        return {"success": False, "code": "1002", "reason": state.refuse}
    if action == "cancel":
        return {"success": True, "code": "0"}
    return {"mailNo": state.number("YT"), "shortAddress": "200-010-03", "originateOrgCode": "210045"}


def _yunda(state, path, headers, raw):
    body = raw.decode()
    ok = headers.get("sign") == hashlib.md5(f"{body}_{state.secret}".encode()).hexdigest()
    action = "cancel" if path.endswith("cancelBmOrder") else "issue"
    state.record("yunda", action, ok, json.loads(body))
    if not ok:
        return {"result": False, "code": "1003", "message": "签名错误"}
    if state.refuse:
        return {"result": True, "code": "0000", "data": [{"status": "0", "msg": state.refuse}]}
    if action == "cancel":
        return {"result": True, "code": "0000", "data": [{"status": "1"}]}
    row = {"status": "1", "mail_no": state.number("4312"), "position": "510 B9 07", "position_no": "B9"}
    return {"result": True, "code": "0000", "message": "请求成功", "data": [row]}


def _jd(state, path, headers, raw):
    form = dict(urllib.parse.parse_qsl(raw.decode()))
    text = state.secret + "".join(f"{k}{form[k]}" for k in sorted(form) if k != "sign") + state.secret
    ok = form.get("sign") == hashlib.md5(text.encode()).hexdigest().upper()
    method = form.get("method", "")
    action = "cancel" if method.endswith("cancelWayBill") else "issue"
    state.record("jd", action, ok, json.loads(form["360buy_param_json"]))
    if not ok:
        return {"error_response": {"code": "25", "zh_desc": "签名无效"}}
    key = method.replace(".", "_") + "_responce"
    if action == "cancel":
        status = {"statusCode": 1, "statusMessage": state.refuse} if state.refuse else {"statusCode": 0}
        return {key: {"code": "0", "returnType": status}}
    if state.refuse:
        return {
            key: {"code": "0", "receiveorderinfo_result": {"resultCode": 106, "resultMessage": state.refuse}}
        }
    result = {
        "resultCode": 100,
        "resultMessage": "成功",
        "deliveryId": state.number("JDV"),
        "preSortResult": {"road": "C12", "siteName": "北京亦庄站"},
    }
    return {key: {"code": "0", "receiveorderinfo_result": result}}


def _kdniao(state, path, headers, raw):
    form = dict(urllib.parse.parse_qsl(raw.decode()))
    ok = form.get("DataSign") == _b64md5(form["RequestData"] + state.secret)
    action = "cancel" if form.get("RequestType") == "1147" else "issue"
    state.record("kdniao", action, ok, json.loads(form["RequestData"]))
    if not ok:
        return {"Success": False, "ResultCode": "101", "Reason": "DataSign错误"}
    if state.refuse:
        return {"Success": False, "ResultCode": "105", "Reason": state.refuse}
    if action == "cancel":
        return {"Success": True, "ResultCode": "100"}
    order = {"LogisticCode": state.number("KDN"), "SortingCode": "021-A3-05", "MarkDestination": "上海转"}
    return {"Success": True, "ResultCode": "100", "Order": order}


def _cainiao(state, path, headers, raw):
    form = dict(urllib.parse.parse_qsl(raw.decode()))
    ok = form.get("data_digest") == _b64md5(form["logistics_interface"] + state.secret)
    action = "cancel" if form.get("msg_type") == "TMS_WAYBILL_DISCARD" else "issue"
    state.record("cainiao", action, ok, json.loads(form["logistics_interface"]))
    if not ok:
        return {"success": "false", "errorCode": "S05", "errorMsg": "sign check error"}
    if state.refuse:
        return {"success": "false", "errorCode": "isv.biz-error", "errorMsg": state.refuse}
    if action == "cancel":
        return {"success": "true", "discardResult": True}
    print_data = {
        "data": {"routingInfo": {"sortation": {"name": "710-C 23"}, "consolidation": {"name": "西安"}}}
    }
    row = {"objectId": "1", "waybillCode": state.number("CN"), "printData": json.dumps(print_data)}
    return {"success": "true", "waybillCloudPrintResponseList": [row]}


ROUTES = {
    "sf": _sf,
    "zto": _zto,
    "yto": _yto,
    "yunda": _yunda,
    "jd": _jd,
    "kdniao": _kdniao,
    "cainiao": _cainiao,
}


@contextmanager
def fake_waybill_server():
    """One server for every API: each account's endpoint is ``{state.url}/<api>``."""
    state = FakeWaybillState()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 - http.server naming
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            api, _, rest = self.path.lstrip("/").partition("/")
            if state.http_status:
                payload, status = {"error": "down"}, state.http_status
            elif api in ROUTES:
                payload, status = ROUTES[api](state, "/" + rest, self.headers, raw), 200
            else:
                payload, status = {}, 404
            body = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
