"""The finance journal of the demo data: completed orders, after-sales refunds and paid-out cancellation refunds
as double-entry lines that balance (debits = credits), in all and per reference."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.choices import OrderStatus, PaymentMethod, PaymentStatus, RefundStatus
from orders.models import Order, Payment, RefundRecord
from reports.finance import journal_lines


@pytest.mark.django_db
def test_the_journal_of_the_demo_data_is_balanced_and_not_empty(client_for, finance_user):
    call_command("seed_demo")
    today = timezone.localdate()
    lines = list(journal_lines(date_from=today - timedelta(days=60), date_to=today))
    journals = {(line["journal"], line["account"]) for line in lines}
    # Completed orders, after-sales refunds and cancellation refunds all flow in.
    assert Order.objects.filter(status=OrderStatus.COMPLETED).exists()
    assert ("SALES", "6001 Sales revenue") in journals
    assert ("REFUND", "6001.9 Sales returns and refunds") in journals
    assert ("REFUND", "2203 Customer advances") in journals
    assert RefundRecord.objects.filter(status=RefundStatus.DONE).count() == 3
    assert RefundRecord.objects.filter(status=RefundStatus.OPEN).exists()  # the rest wait for finance
    debit = sum(line["debit"] for line in lines)
    credit = sum(line["credit"] for line in lines)
    assert debit == credit > 0
    per_reference = defaultdict(Decimal)
    for line in lines:
        per_reference[line["reference"]] += line["debit"] - line["credit"]
    assert set(per_reference.values()) == {Decimal("0.00")}
    # COD orders were delivered and the carrier collected the cash.
    assert (
        Payment.objects.filter(method=PaymentMethod.COD, status=PaymentStatus.PAID)
        .exclude(collected_by="")
        .exists()
    )

    # The download finance takes is the same journal.
    response = client_for(finance_user).get(
        reverse("reports:finance-export"),
        {
            "download": "1",
            "date_from": (today - timedelta(days=60)).isoformat(),
            "date_to": today.isoformat(),
        },
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == len(lines)
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows) == debit
