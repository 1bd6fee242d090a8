"""Screens of the aftersales app: case queues, registration, case detail and its actions, receiving station,
refunds, complaints, the public satisfaction survey and its report. Views call services for every write;
one module per screen group, re-exported here for ``aftersales.urls``."""

from aftersales.views._common import SESSION_WAREHOUSE, _apply_domain_error
from aftersales.views.cases import (
    CaseActionView,
    CaseByNumberView,
    CaseCreateView,
    CaseDetailView,
    CaseListView,
)
from aftersales.views.complaints import ComplaintCreateView, ComplaintDetailView, ComplaintListView
from aftersales.views.receiving import ReceivingView
from aftersales.views.refunds import RefundCreateView, RefundDecisionView, RefundListView
from aftersales.views.surveys import SurveyReportView, SurveyView

__all__ = [
    "SESSION_WAREHOUSE",
    "CaseActionView",
    "CaseByNumberView",
    "CaseCreateView",
    "CaseDetailView",
    "CaseListView",
    "ComplaintCreateView",
    "ComplaintDetailView",
    "ComplaintListView",
    "ReceivingView",
    "RefundCreateView",
    "RefundDecisionView",
    "RefundListView",
    "SurveyReportView",
    "SurveyView",
    "_apply_domain_error",
]
