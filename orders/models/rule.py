"""Order tags and the priority / risk / review rules that set them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.choices import (
    RuleCondition,
    RuleKind,
)
from orders.models.base import MONEY


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    colour = models.CharField(
        _("colour"), max_length=16, default="secondary", help_text=_("Bootstrap colour name")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the default rules' tags are catalogue messages (orders.notes)."""
        return gettext(self.name) if self.name else ""


class OrderRule(models.Model):
    """A priority, risk or review rule; admins edit them in Django admin."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    condition = models.CharField(_("condition"), max_length=32, choices=RuleCondition.choices)
    threshold = models.DecimalField(_("threshold"), null=True, blank=True, **MONEY)
    value = models.CharField(_("value"), max_length=100, blank=True, help_text=_("e.g. a promotion name"))
    window_hours = models.PositiveIntegerField(_("window (hours)"), default=24)
    points = models.IntegerField(
        _("points"),
        default=0,
        help_text=_("Added to the priority (priority rules) or the risk score (risk rules)."),
    )
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason shown to users"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)

    class Meta:
        ordering = ["kind", "sort", "code"]
        verbose_name = _("order rule")
        verbose_name_plural = _("order rules")

    def __str__(self) -> str:
        return self.name
