"""Satisfaction survey: signed links, invitations after delivery (marketing: not to do-not-contact customers),
and the customer's one answer per link."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.choices import SurveyContext
from aftersales.exceptions import AftersalesError, SurveyAlreadyAnswered, SurveyLinkInvalid
from aftersales.models import SurveyResponse
from aftersales.services._common import SURVEY_SALT, _absolute, _lock_order
from oms.db import retry_on_conflict
from oms.models import OutboxMessage
from oms.notifications import notify_customer
from orders.choices import OrderStatus


def survey_token(*, order_id: int, case_id: int | None = None) -> str:
    return signing.dumps({"o": order_id, "c": case_id}, salt=SURVEY_SALT, compress=True)


def survey_read_token(token: str) -> tuple[int, int | None]:
    max_age = int(getattr(settings, "OMS_SURVEY_LINK_DAYS", 60)) * 86400
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
        return int(data["o"]), (int(data["c"]) if data.get("c") else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise SurveyLinkInvalid() from exc


def survey_url(*, order_id: int, case_id: int | None = None) -> str:
    token = survey_token(order_id=order_id, case_id=case_id)
    return _absolute(reverse("aftersales:survey", args=[token]))


def survey_invite_delivered(*, order_id: int) -> OutboxMessage | None:
    """Ask the customer of a delivered order how it went (once per order, however often this runs).
    Nothing for a customer marked do-not-contact (order messages only, no surveys)."""
    from orders.models import Order

    order = Order.objects.select_related("customer").get(pk=order_id)
    return notify_customer(
        customer=order.customer,
        template="aftersales/messages/survey_delivery.txt",
        context={"order": order, "url": survey_url(order_id=order.pk)},
        event="aftersales.survey_delivery",
        dedupe_key=f"aftersales:survey:order:{order.pk}",
        marketing=True,
    )


def surveys_invite_delivered(*, days: int = 3, limit: int = 1000) -> int:
    """Invite the customers of orders delivered in the last ``days`` days who were not invited yet."""
    from orders.models import Order

    since = timezone.now() - timedelta(days=days)
    invited = OutboxMessage.objects.filter(
        event="aftersales.survey_delivery", created_at__gte=since
    ).values_list("dedupe_key", flat=True)
    done = {key.rsplit(":", 1)[-1] for key in invited if key}
    ids = list(
        Order.objects.filter(status=OrderStatus.DELIVERED, updated_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for order_id in ids:
        if str(order_id) in done:
            continue
        with transaction.atomic():
            invited = survey_invite_delivered(order_id=order_id)
        count += invited is not None
    return count


@retry_on_conflict
def survey_submit(*, token: str, score: int, comment: str = "") -> SurveyResponse:
    """Store a customer's answer; a link answers once."""
    order_id, case_id = survey_read_token(token)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        message = _("Choose a score from 1 to 5.")
        raise AftersalesError(message, field_errors={"score": [message]})
    context = SurveyContext.CASE if case_id else SurveyContext.DELIVERY
    _lock_order(order_id)
    exists = SurveyResponse.objects.filter(order_id=order_id, context=context)
    if case_id:
        exists = SurveyResponse.objects.filter(case_id=case_id, context=context)
    if exists.exists():
        raise SurveyAlreadyAnswered()
    return SurveyResponse.objects.create(
        context=context, order_id=order_id, case_id=case_id, score=score, comment=comment.strip()[:2000]
    )


def survey_answered(token: str) -> bool:
    order_id, case_id = survey_read_token(token)
    if case_id:
        return SurveyResponse.objects.filter(case_id=case_id, context=SurveyContext.CASE).exists()
    return SurveyResponse.objects.filter(order_id=order_id, context=SurveyContext.DELIVERY).exists()
