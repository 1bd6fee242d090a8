"""Waybill clients of the Chinese carriers' published APIs, each signing its requests as documented.

- 顺丰 SF (丰桥 ``/std/service``): form ``partnerID, requestID, serviceCode, timestamp, msgData, msgDigest``;
  ``msgDigest = base64(md5(urlencode(msgData + timestamp + checkWord)))``; answer ``apiResultCode`` A1000
  and ``apiResultData`` (a JSON string) with ``waybillNoInfoList`` and ``routeLabelInfo``.
- 中通 ZTO (``/zto.open.createOrder``): JSON body, headers ``x-appKey`` and
  ``x-dataDigest = base64(md5(body + appSecret))``; answer ``status``, ``result.billCode``,
  ``result.bigMarkInfo.mark``.
- 圆通 YTO (``/{method}/v1/{customer}``): JSON ``{timestamp, param, sign, format}``,
  ``sign = base64(md5(param + method + "v1" + secret))``; answer ``mailNo``, ``shortAddress``.
- 韵达 Yunda (``/openapi-api/v1/accountOrder/createBmOrder``): JSON body, headers ``app-key``,
  ``req-time`` and ``sign = md5hex(body + "_" + appSecret)``; answer ``result``, ``data[0].mail_no``.
- 京东 JD (``/routerjson``): form ``method, app_key, access_token, timestamp, v, 360buy_param_json,
  sign``; ``sign = MD5HEX(secret + k1v1k2v2… (keys sorted) + secret)`` upper case.
- 快递鸟 Kdniao (cloud print, ``RequestType`` 1007 / 1147): form ``RequestData, EBusinessID, RequestType,
  DataSign, DataType``; ``DataSign = base64(md5(RequestData + AppKey))``; answer ``Success``,
  ``Order.LogisticCode``, ``Order.SortingCode``.
- 菜鸟 Cainiao (link gateway, ``TMS_WAYBILL_GET`` / ``TMS_WAYBILL_DISCARD``): form ``msg_type,
  logistic_provider_id, logistics_interface, data_digest``; ``data_digest = base64(md5(content + secret))``.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.parse
import uuid
from datetime import datetime

from fulfillment.carriers.waybill import (
    Party,
    WaybillAnswer,
    WaybillClient,
    WaybillRequest,
    compact_json,
    md5_base64,
)

FORM = "application/x-www-form-urlencoded;charset=UTF-8"
JSON = "application/json;charset=UTF-8"


def _form(fields: dict) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def _names(request: WaybillRequest) -> list[dict]:
    return [{"name": name[:50]} for name in request.items[:20]] or [{"name": request.reference}]


class SFClient(WaybillClient):
    def _call(self, service_code: str, message: dict) -> dict:
        msg_data = compact_json(message)
        timestamp = str(int(time.time() * 1000))
        digest = md5_base64(urllib.parse.quote_plus(msg_data + timestamp + self.creds.secret))
        answer = self.post(
            self.url("/std/service"),
            _form(
                {
                    "partnerID": self.creds.partner_id,
                    "requestID": uuid.uuid4().hex,
                    "serviceCode": service_code,
                    "timestamp": timestamp,
                    "msgDigest": digest,
                    "msgData": msg_data,
                }
            ),
            content_type=FORM,
        )
        if answer.get("apiResultCode") != "A1000":
            raise self.fail(f"{answer.get('apiResultCode')} {answer.get('apiErrorMsg', '')}")
        result = json.loads(answer.get("apiResultData") or "{}")
        if not result.get("success"):
            raise self.fail(f"{result.get('errorCode')} {result.get('errorMsg', '')}")
        return result.get("msgData") or {}

    @staticmethod
    def _contact(kind: int, party: Party) -> dict:
        return {
            "contactType": kind,
            "contact": party.name,
            "mobile": party.phone,
            "province": party.province,
            "city": party.city,
            "county": party.district,
            "address": party.address,
            "country": "CN",
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        data = self._call(
            "EXP_RECE_CREATE_ORDER",
            {
                "language": "zh-CN",
                "orderId": request.reference,
                "monthlyCard": self.creds.customer_code,
                "expressTypeId": int(request.service_code) if request.service_code.isdigit() else 1,
                "parcelQty": request.packages,
                "totalWeight": request.weight_kg,
                "cargoDetails": _names(request),
                "contactInfoList": [self._contact(1, request.sender), self._contact(2, request.receiver)],
            },
        )
        numbers = [w for w in data.get("waybillNoInfoList") or [] if w.get("waybillType") == 1]
        route = ((data.get("routeLabelInfo") or [{}])[0].get("routeLabelData")) or {}
        return WaybillAnswer(
            number=self.need_number(numbers[0].get("waybillNo") if numbers else ""),
            sort_code=str(route.get("destRouteLabel", "")),
            destination_code=str(route.get("codingMapping", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        self._call("EXP_RECE_UPDATE_ORDER", {"orderId": reference, "dealType": 2, "waybillNo": number})


class ZTOClient(WaybillClient):
    def _call(self, method: str, payload: dict) -> dict:
        body = compact_json(payload)
        answer = self.post(
            self.url(f"/{method}"),
            body.encode(),
            content_type=JSON,
            headers={"x-appKey": self.creds.partner_id, "x-dataDigest": md5_base64(body + self.creds.secret)},
        )
        if answer.get("status") is not True:
            raise self.fail(f"{answer.get('statusCode', '')} {answer.get('message', '')}")
        return answer.get("result") or {}

    @staticmethod
    def _party(prefix: str, party: Party) -> dict:
        return {
            f"{prefix}Name": party.name,
            f"{prefix}Mobile": party.phone,
            f"{prefix}Province": party.province,
            f"{prefix}City": party.city,
            f"{prefix}District": party.district,
            f"{prefix}Address": party.address,
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        result = self._call(
            "zto.open.createOrder",
            {
                "partnerType": "2",
                "orderType": "1",
                "partnerOrderCode": request.reference,
                "accountInfo": {"accountId": self.creds.customer_code, "type": 1},
                "senderInfo": self._party("sender", request.sender),
                "receiveInfo": self._party("receiver", request.receiver),
                "summaryInfo": {"quantity": request.packages},
                "orderWeight": request.weight_kg,
            },
        )
        mark = result.get("bigMarkInfo") or {}
        return WaybillAnswer(
            number=self.need_number(result.get("billCode")),
            sort_code=str(mark.get("mark", "")),
            destination_code=str(mark.get("bagAddr", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        self._call("zto.open.cancelPreOrder", {"cancelType": "1", "billCode": number})


class YTOClient(WaybillClient):
    def _call(self, method: str, payload: dict) -> dict:
        param = compact_json(payload)
        body = compact_json(
            {
                "timestamp": str(int(time.time() * 1000)),
                "param": param,
                "sign": md5_base64(param + method + "v1" + self.creds.secret),
                "format": "JSON",
            }
        )
        answer = self.post(
            self.url(f"/{method}/v1/{urllib.parse.quote(self.creds.customer_code, safe='')}"),
            body.encode(),
            content_type=JSON,
        )
        if answer.get("success") is False or answer.get("code") not in (None, "", "0", 0):
            raise self.fail(f"{answer.get('code', '')} {answer.get('reason') or answer.get('message', '')}")
        return answer

    @staticmethod
    def _party(party: Party) -> dict:
        return {
            "name": party.name,
            "mobile": party.phone,
            "prov": party.province,
            "city": party.city,
            "area": party.district,
            "address": party.address,
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        answer = self._call(
            "privacy_create_adapter",
            {
                "logisticsNo": request.reference,
                "senderName": request.sender.name,
                "sender": self._party(request.sender),
                "recipient": self._party(request.receiver),
                "weight": request.weight_kg,
                "goodsQuantity": request.packages,
            },
        )
        return WaybillAnswer(
            number=self.need_number(answer.get("mailNo")),
            sort_code=str(answer.get("shortAddress", "")),
            destination_code=str(answer.get("originateOrgCode", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        self._call("korder_cancel_adapter", {"logisticsNo": reference, "cancelDesc": "intercepted"})


class YundaClient(WaybillClient):
    def _call(self, path: str, payload: dict) -> list:
        body = compact_json(payload)
        sign = hashlib.md5(f"{body}_{self.creds.secret}".encode()).hexdigest()  # noqa: S324
        answer = self.post(
            self.url(f"/openapi-api/v1/accountOrder/{path}"),
            body.encode(),
            content_type=JSON,
            headers={
                "app-key": self.creds.partner_id,
                "req-time": str(int(time.time() * 1000)),
                "sign": sign,
            },
        )
        if answer.get("result") is not True or str(answer.get("code")) != "0000":
            raise self.fail(f"{answer.get('code', '')} {answer.get('message', '')}")
        rows = answer.get("data") or []
        if rows and str(rows[0].get("status", "1")) != "1":
            raise self.fail(str(rows[0].get("msg", "")))
        return rows

    @staticmethod
    def _party(party: Party) -> dict:
        return {
            "name": party.name,
            "mobile": party.phone,
            "province": party.province,
            "city": party.city,
            "county": party.district,
            "address": party.address,
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        rows = self._call(
            "createBmOrder",
            {
                "appid": self.creds.partner_id,
                "partner_id": self.creds.customer_code,
                "orders": [
                    {
                        "order_serial_no": request.reference,
                        "khddh": request.reference,
                        "sender": self._party(request.sender),
                        "receiver": self._party(request.receiver),
                        "weight": request.weight_kg,
                        "package_count": request.packages,
                    }
                ],
            },
        )
        row = rows[0] if rows else {}
        return WaybillAnswer(
            number=self.need_number(row.get("mail_no")),
            sort_code=str(row.get("position", "")),
            destination_code=str(row.get("position_no", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        self._call(
            "cancelBmOrder",
            {
                "appid": self.creds.partner_id,
                "partner_id": self.creds.customer_code,
                "orders": [{"order_serial_no": reference, "mailno": number}],
            },
        )


def jd_sign(params: dict, secret: str) -> str:
    text = secret + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign") + secret
    return hashlib.md5(text.encode()).hexdigest().upper()  # noqa: S324 - JD's documented scheme


class JDClient(WaybillClient):
    def _call(self, method: str, payload: dict) -> dict:
        params = {
            "method": method,
            "app_key": self.creds.partner_id,
            "access_token": self.creds.customer_code,
            "timestamp": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),  # noqa: DTZ005 - JD wants local time
            "v": "2.0",
            "360buy_param_json": compact_json(payload),
        }
        params["sign"] = jd_sign(params, self.creds.secret)
        answer = self.post(self.url("/routerjson"), _form(params), content_type=FORM)
        if "error_response" in answer:
            error = answer["error_response"] or {}
            raise self.fail(f"{error.get('code', '')} {error.get('zh_desc') or error.get('en_desc', '')}")
        key = method.replace(".", "_") + "_responce"  # sic: JD's spelling
        return answer.get(key) or {}

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        body = self._call(
            "jingdong.ldop.waybill.receive",
            {
                "orderId": request.reference,
                "customerCode": self.creds.customer_code,
                "senderName": request.sender.name,
                "senderMobile": request.sender.phone,
                "senderAddress": " ".join(
                    [request.sender.province, request.sender.city, request.sender.address]
                ),
                "receiveName": request.receiver.name,
                "receiveMobile": request.receiver.phone,
                "province": request.receiver.province,
                "city": request.receiver.city,
                "county": request.receiver.district,
                "receiveAddress": request.receiver.address,
                "packageCount": request.packages,
                "weight": request.weight_kg,
            },
        )
        result = body.get("receiveorderinfo_result") or {}
        if str(result.get("resultCode")) != "100":
            raise self.fail(f"{result.get('resultCode', '')} {result.get('resultMessage', '')}")
        presort = result.get("preSortResult") or {}
        return WaybillAnswer(
            number=self.need_number(result.get("deliveryId")),
            sort_code=str(presort.get("road", "")),
            destination_code=str(presort.get("siteName", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        body = self._call(
            "jingdong.ldop.delivery.provider.cancelWayBill",
            {"waybillCode": number, "customerCode": self.creds.customer_code, "source": "OMS"},
        )
        result = body.get("returnType") or {}
        if str(result.get("statusCode")) != "0":
            raise self.fail(f"{result.get('statusCode', '')} {result.get('statusMessage', '')}")


class KdniaoClient(WaybillClient):
    def _call(self, request_type: str, payload: dict) -> dict:
        data = compact_json(payload)
        answer = self.post(
            self.url(),
            _form(
                {
                    "RequestData": data,
                    "EBusinessID": self.creds.partner_id,
                    "RequestType": request_type,
                    "DataSign": md5_base64(data + self.creds.secret),
                    "DataType": "2",
                }
            ),
            content_type=FORM,
        )
        if answer.get("Success") is not True:
            raise self.fail(f"{answer.get('ResultCode', '')} {answer.get('Reason', '')}")
        return answer

    @staticmethod
    def _party(party: Party) -> dict:
        return {
            "Name": party.name,
            "Mobile": party.phone,
            "ProvinceName": party.province,
            "CityName": party.city,
            "ExpAreaName": party.district,
            "Address": party.address,
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        answer = self._call(
            "1007",
            {
                "OrderCode": request.reference,
                "ShipperCode": request.carrier_code,
                "CustomerName": self.creds.customer_code,
                "PayType": 3,
                "ExpType": 1,
                "Sender": self._party(request.sender),
                "Receiver": self._party(request.receiver),
                "Commodity": [{"GoodsName": n["name"]} for n in _names(request)],
                "Quantity": request.packages,
                "Weight": request.weight_kg,
            },
        )
        order = answer.get("Order") or {}
        return WaybillAnswer(
            number=self.need_number(order.get("LogisticCode")),
            sort_code=str(order.get("SortingCode", "")),
            destination_code=str(order.get("MarkDestination", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        self._call("1147", {"ShipperCode": carrier_code, "OrderCode": reference, "ExpNo": number})


class CainiaoClient(WaybillClient):
    def _call(self, msg_type: str, payload: dict) -> dict:
        content = compact_json(payload)
        answer = self.post(
            self.url(),
            _form(
                {
                    "msg_type": msg_type,
                    "logistic_provider_id": self.creds.partner_id,
                    "logistics_interface": content,
                    "data_digest": md5_base64(content + self.creds.secret),
                    "to_code": "",
                }
            ),
            content_type=FORM,
        )
        if str(answer.get("success")).lower() != "true":
            raise self.fail(f"{answer.get('errorCode', '')} {answer.get('errorMsg', '')}")
        return answer

    @staticmethod
    def _party(party: Party) -> dict:
        return {
            "name": party.name,
            "mobile": party.phone,
            "address": {
                "province": party.province,
                "city": party.city,
                "district": party.district,
                "detail": party.address,
            },
        }

    def issue(self, request: WaybillRequest) -> WaybillAnswer:
        answer = self._call(
            "TMS_WAYBILL_GET",
            {
                "cpCode": request.carrier_code,
                "sender": self._party(request.sender),
                "tradeOrderInfoDtos": [
                    {
                        "objectId": "1",
                        "orderInfo": {"orderChannelsType": "OTHERS", "tradeOrderList": [request.reference]},
                        "packageInfo": {"id": request.reference, "items": _names(request)},
                        "recipient": self._party(request.receiver),
                        "userId": self.creds.customer_code,
                    }
                ],
            },
        )
        row = (answer.get("waybillCloudPrintResponseList") or [{}])[0]
        routing = (json.loads(row.get("printData") or "{}").get("data") or {}).get("routingInfo") or {}
        return WaybillAnswer(
            number=self.need_number(row.get("waybillCode")),
            sort_code=str((routing.get("sortation") or {}).get("name", "")),
            destination_code=str((routing.get("consolidation") or {}).get("name", "")),
        )

    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None:
        answer = self._call("TMS_WAYBILL_DISCARD", {"cpCode": carrier_code, "waybillCode": number})
        if answer.get("discardResult") is not True:
            raise self.fail("discard refused")


CLIENTS: dict[str, type[WaybillClient]] = {
    "sf": SFClient,
    "zto": ZTOClient,
    "yto": YTOClient,
    "yunda": YundaClient,
    "jd": JDClient,
    "kdniao": KdniaoClient,
    "cainiao": CainiaoClient,
}
