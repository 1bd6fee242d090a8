"""API serializers: the intake body (for the schema; validation is ``orders.validation``) and the order answer."""

from __future__ import annotations

from rest_framework import serializers

from orders.choices import OrderStatus, PaymentMethod, PaymentStatus


class CustomerInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32, help_text="1[3-9]xxxxxxxxx or +international")
    email = serializers.EmailField(required=False, allow_blank=True)


class AddressInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    phone = serializers.CharField(max_length=32, required=False)
    province = serializers.CharField(max_length=50)
    city = serializers.CharField(max_length=50)
    district = serializers.CharField(max_length=50)
    line1 = serializers.CharField(max_length=300)
    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False)


class LineInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)


class PaymentInSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    status = serializers.ChoiceField(
        choices=[(s.value, s.value) for s in (PaymentStatus.PENDING, PaymentStatus.PAID)]
    )
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    transaction_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


class FlagsInSerializer(serializers.Serializer):
    urgent = serializers.BooleanField(required=False)
    promotion = serializers.CharField(max_length=50, required=False, allow_blank=True)


class OrderInSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64)
    placed_at = serializers.DateTimeField(required=False)
    customer = CustomerInSerializer()
    shipping_address = AddressInSerializer()
    lines = LineInSerializer(many=True)
    shipping_fee = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    # Optional (absent: 0.00): spread over the lines by value, kept per line for refunds.
    coupon_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    platform_coupon_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    points_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    payment = PaymentInSerializer()
    flags = FlagsInSerializer(required=False)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class BatchInSerializer(serializers.Serializer):
    orders = OrderInSerializer(many=True)


class OrderOutSerializer(serializers.Serializer):
    """The order as the API answers it. Fields declared here rather than read off the model
    (``ModelSerializer`` builds them again for every answer: most of the time of an answer)."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    channel = serializers.CharField(source="channel.code", read_only=True)
    external_id = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)
    priority = serializers.IntegerField(read_only=True)
    risk_score = serializers.IntegerField(read_only=True)
    placed_at = serializers.DateTimeField(read_only=True)
    paid_at = serializers.DateTimeField(read_only=True, allow_null=True)
    backorder = serializers.JSONField(source="backorder_info", read_only=True)


class BatchResultSerializer(serializers.Serializer):
    external_id = serializers.CharField(allow_null=True)
    status = serializers.IntegerField()
    order = OrderOutSerializer(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    # 409: the external_id was taken in with other content
    detail = serializers.CharField(required=False)
    order_number = serializers.CharField(required=False)
    fields = serializers.ListField(child=serializers.CharField(), required=False)


class BatchOutSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)


class ErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField(required=False)
