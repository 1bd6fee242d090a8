"""Order money adds up: discounts, coupons and points allocated to lines exact to the cent (property tests), and
stored per line by every intake path, so that refunds give back the line's net amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.money import KINDS, allocate_deductions, split_cents, units_value

D = Decimal
cents = st.integers(min_value=0, max_value=10_000_000)


def money(c: int) -> Decimal:
    return (D(c) / 100).quantize(D("0.01"))


# --- the arithmetic (no database) ------------------------------------------------------------------


@given(total=cents, weights=st.lists(st.integers(min_value=0, max_value=10_000_000), min_size=1, max_size=30))
def test_split_cents_sums_exactly_and_never_exceeds_a_weight(total, weights):
    total = min(total, sum(weights)) if sum(weights) else total
    parts = split_cents(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    if sum(weights):
        assert all(p <= w for p, w in zip(parts, weights, strict=True))
        # Largest remainder: every part within one cent of its exact proportional value.
        assert all(
            abs(p * sum(weights) - total * w) < sum(weights) for p, w in zip(parts, weights, strict=True)
        )


@settings(max_examples=300)
@given(
    lines=st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=1, max_size=25),
    amounts=st.lists(st.integers(min_value=0, max_value=3_000_000), min_size=4, max_size=4),
)
def test_deductions_allocated_exact_to_the_cent(lines, amounts):
    line_totals = [money(c) for c in lines]
    deductions = {kind: money(c) for kind, c in zip(KINDS, amounts, strict=True)}
    shares = allocate_deductions(line_totals=line_totals, deductions=deductions)

    goods, wanted = sum(line_totals), sum(deductions.values())
    assert len(shares) == len(lines)
    for share, total in zip(shares, line_totals, strict=True):
        assert share.line_total == total
        assert min(share.discount, share.coupon, share.platform_coupon, share.points) >= 0
        assert D("0.00") <= share.net <= total  # never more taken off a line than it is worth
        assert share.net == share.line_total - share.deducted
    on_lines = sum(s.deducted for s in shares)
    assert on_lines == min(wanted, goods)
    if wanted <= goods:
        # Every kind is spread whole over the lines: the lines' shares sum to the order's amount.
        for kind in KINDS:
            assert sum(getattr(s, kind) for s in shares) == deductions[kind]
        assert sum(s.net for s in shares) == goods - wanted
    else:  # the excess lies on the shipping: the lines are free, each kind carries at most its amount
        assert all(s.net == 0 for s in shares)
        for kind in KINDS:
            assert sum(getattr(s, kind) for s in shares) <= deductions[kind]


def test_allocation_by_value_a_worked_example():
    # ¥100 + ¥50 + ¥0.10 of goods, ¥10 discount, ¥5 shop coupon, ¥3 platform coupon, ¥0.01 of points.
    shares = allocate_deductions(
        line_totals=[D("100.00"), D("50.00"), D("0.10")],
        deductions={
            "discount": D("10.00"),
            "coupon": D("5.00"),
            "platform_coupon": D("3.00"),
            "points": D("0.01"),
        },
    )
    assert [s.discount for s in shares] == [D("6.66"), D("3.33"), D("0.01")]
    assert [s.coupon for s in shares] == [D("3.33"), D("1.67"), D("0.00")]
    assert [s.platform_coupon for s in shares] == [D("2.00"), D("1.00"), D("0.00")]
    assert [s.points for s in shares] == [D("0.01"), D("0.00"), D("0.00")]
    assert [s.net for s in shares] == [D("88.00"), D("44.00"), D("0.09")]
    assert sum(s.net for s in shares) == D("150.10") - D("18.01")


@given(
    net=cents,
    quantity=st.integers(min_value=1, max_value=50),
    steps=st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=10),
)
def test_units_taken_back_in_any_steps_give_back_exactly_the_net(net, quantity, steps):
    before, values = 0, []
    for units in steps:
        if before >= quantity:
            break
        units = min(units, quantity - before)
        values.append(units_value(net=money(net), quantity=quantity, before=before, units=units))
        before += units
    if before == quantity:
        assert sum(values) == money(net)
    assert all(v >= 0 for v in values)
    assert sum(values) <= money(net)


# --- stored per line by the intake ------------------------------------------------------------------


def coupon_body(**overrides):
    from tests.factories import order_body

    body = order_body(
        external_id=overrides.pop("external_id", "TB-COUPON-1"),
        lines=[
            {"sku": "SKU-0001", "quantity": 3, "unit_price": "59.90"},  # 179.70
            {"sku": "SKU-0002", "quantity": 1, "unit_price": "20.00"},
        ],
    )
    body.update(
        {
            "shipping_fee": "8.00",
            "discount": "10.00",
            "coupon_amount": "5.00",
            "platform_coupon_amount": "3.00",
            "points_amount": "1.99",
        }
    )
    body["payment"]["amount"] = "187.71"  # 199.70 + 8.00 − 19.99
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_the_api_takes_coupons_and_points_as_new_optional_fields(api, sku, sku2):
    response = api.post("/api/v1/orders/", coupon_body(), format="json")
    assert response.status_code == 201, response.content
    from orders.models import Order

    order = Order.objects.get(number=response.json()["number"])
    assert order.total == D("187.71")
    assert order.discount == D("19.99")  # every deduction: the total still adds up the same way
    assert (
        order.seller_discount,
        order.coupon_amount,
        order.platform_coupon_amount,
        order.points_amount,
    ) == (
        D("10.00"),
        D("5.00"),
        D("3.00"),
        D("1.99"),
    )
    first, second = order.lines.order_by("line_no")
    assert (first.discount_share, first.coupon_share, first.platform_coupon_share, first.points_share) == (
        D("9.00"),
        D("4.50"),
        D("2.70"),
        D("1.79"),
    )
    assert (
        second.discount_share,
        second.coupon_share,
        second.platform_coupon_share,
        second.points_share,
    ) == (
        D("1.00"),
        D("0.50"),
        D("0.30"),
        D("0.20"),
    )
    assert first.net_amount + second.net_amount == order.total - order.shipping_fee
    # The same body again answers the same order; other coupons under the same id are refused by name.
    assert api.post("/api/v1/orders/", coupon_body(), format="json").status_code == 200
    changed = coupon_body(coupon_amount="6.00", discount="9.00")
    refused = api.post("/api/v1/orders/", changed, format="json")
    assert refused.status_code == 409
    assert "coupon_amount" in str(refused.json())


@pytest.mark.django_db
def test_an_old_body_without_coupons_still_works(api, sku):
    from tests.factories import order_body

    body = order_body(external_id="TB-OLD-1", discount="10.00")
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.content
    from orders.models import Order

    order = Order.objects.get(external_id="TB-OLD-1")
    assert (order.discount, order.coupon_amount, order.points_amount) == (D("10.00"), D("0.00"), D("0.00"))
    assert order.lines.get().net_amount == D("109.80")


@pytest.mark.django_db
def test_coupon_amounts_are_checked_field_by_field(api, sku, sku2):
    response = api.post(
        "/api/v1/orders/", coupon_body(coupon_amount="-1", points_amount="abc"), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"] if "errors" in response.json() else response.json()
    assert "coupon_amount" in errors and "points_amount" in errors
    from orders.models import Order

    assert not Order.objects.exists()


@pytest.mark.django_db
def test_the_csv_import_takes_the_coupon_columns(channel, sku, sku2, tmp_path):
    from orders.importers import import_orders
    from orders.models import Order

    header = (
        "channel,external_id,customer_name,customer_phone,province,city,district,line1,sku,quantity,unit_price,"
        "shipping_fee,discount,coupon_amount,platform_coupon_amount,points_amount,payment_method,payment_status,"
        "payment_amount,transaction_id\n"
    )
    common = "tmall,IM-C1,张三,13812345678,上海,上海市,浦东新区,世纪大道100号"
    money = "8.00,10.00,5.00,3.00,1.99,alipay,paid,187.71,T-IM-C1"
    path = tmp_path / "orders.csv"
    path.write_text(header + f"{common},SKU-0001,3,59.90,{money}\n{common},SKU-0002,1,20.00,{money}\n")
    report = import_orders(path=path)
    assert (report["total"], report["errors"]) == (2, [])
    order = Order.objects.get(external_id="IM-C1")
    assert (order.coupon_amount, order.platform_coupon_amount, order.points_amount, order.total) == (
        D("5.00"),
        D("3.00"),
        D("1.99"),
        D("187.71"),
    )
    assert [line.net_amount for line in order.lines.order_by("line_no")] == [D("161.71"), D("18.00")]


@pytest.mark.django_db
def test_the_manual_form_takes_coupons_and_works_out_the_amount(client_for, ops_user, channel, sku):
    from orders.models import Order
    from tests.orders.test_screens import manual_post

    response = client_for(ops_user).post(
        "/orders/new/",
        manual_post(
            channel=str(channel.pk),
            discount="1.00",
            coupon_amount="2.00",
            platform_coupon_amount="3.00",
            points_amount="0.80",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get()
    # 2 × 59.90 − 6.80: the amount paid was left empty, so it is the total.
    assert (order.total, order.discount, order.points_amount) == (D("113.00"), D("6.80"), D("0.80"))
    assert order.lines.get().net_amount == D("113.00")
