"""Choices of the connectors app: platforms, where an inbound order came from and what became of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin shop")
    OTHER = "other", _("Other (files with a column mapping)")


class EventSource(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    PULL = "pull", _("Pulled")


class EventStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    IGNORED = "ignored", _("Ignored")


EVENT_BADGES = {
    EventStatus.PROCESSED: "success",
    EventStatus.NEEDS_REVIEW: "danger",
    EventStatus.IGNORED: "secondary",
}
