"""Satisfaction survey answers, after a delivery or after a case closed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.choices import SurveyContext
from aftersales.models.cases import AftersalesCase


class SurveyResponse(models.Model):
    """A customer's satisfaction answer, after delivery of an order or after a case closed."""

    context = models.CharField(_("after"), max_length=10, choices=SurveyContext.choices)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="survey_responses"
    )
    case = models.ForeignKey(
        AftersalesCase,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"),
            models.UniqueConstraint(
                fields=["order"], condition=Q(context=SurveyContext.DELIVERY), name="survey_once_per_delivery"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(context=SurveyContext.CASE), name="survey_once_per_case"
            ),
            models.CheckConstraint(
                condition=Q(context=SurveyContext.DELIVERY, case__isnull=True)
                | Q(context=SurveyContext.CASE, case__isnull=False),
                name="survey_case_matches_context",
            ),
        ]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.order_id} {self.score}"
