"""Models of the aftersales app: reasons, cases and their lines and photos, refunds, supplier charges,
complaints and inquiries, satisfaction survey answers (one module per sub-domain, re-exported here)."""

from aftersales.models._common import MONEY, ZERO
from aftersales.models.cases import AftersalesCase, CaseLine, CasePhoto, photo_path
from aftersales.models.charges import SupplierCharge
from aftersales.models.complaints import Complaint
from aftersales.models.reasons import Reason
from aftersales.models.refunds import Refund
from aftersales.models.surveys import SurveyResponse

__all__ = [
    "MONEY",
    "ZERO",
    "AftersalesCase",
    "CaseLine",
    "CasePhoto",
    "Complaint",
    "Reason",
    "Refund",
    "SupplierCharge",
    "SurveyResponse",
    "photo_path",
]
