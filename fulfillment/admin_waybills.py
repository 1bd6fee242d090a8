"""Django admin for electronic waybill accounts (the secret is write-only), number ranges, label privacy."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fulfillment.models import CarrierAccount, ChannelLabelPrivacy, PoolNumber, Waybill
from fulfillment.services import pool_add_range
from oms.admin_mixins import ReadOnlyAdmin


class CarrierAccountForm(forms.ModelForm):
    # Never rendered back: an empty field keeps the stored secret.
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current secret."),
    )
    range_prefix = forms.CharField(label=_("add a number range: prefix"), required=False, max_length=20)
    range_first = forms.IntegerField(label=_("first number"), required=False, min_value=0)
    range_last = forms.IntegerField(label=_("last number"), required=False, min_value=0)
    range_width = forms.IntegerField(label=_("digits"), required=False, min_value=0, max_value=30)

    class Meta:
        model = CarrierAccount
        exclude: list[str] = []

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        data = super().clean()
        first, last = data.get("range_first"), data.get("range_last")
        if (first is None) != (last is None) or (
            first is not None and (last < first or last - first >= 10**6)
        ):
            self.add_error("range_last", _("A range is first ≤ last, at most 1,000,000 numbers."))
        return data


@admin.register(CarrierAccount)
class CarrierAccountAdmin(admin.ModelAdmin):
    form = CarrierAccountForm
    list_display = ["code", "carrier", "api", "endpoint", "label_size", "is_active", "has_secret"]
    list_filter = ["api", "is_active"]

    @admin.display(boolean=True, description=_("secret set"))
    def has_secret(self, obj) -> bool:
        return bool(obj.signing_secret)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if data.get("range_first") is not None:
            added = pool_add_range(
                account_id=obj.pk,
                prefix=data.get("range_prefix") or "",
                first=data["range_first"],
                last=data["range_last"],
                width=data.get("range_width") or 0,
            )
            self.message_user(request, _("%(n)s numbers added to the range.") % {"n": added})


@admin.register(PoolNumber)
class PoolNumberAdmin(ReadOnlyAdmin):
    list_display = ["number", "account", "status", "shipment", "taken_at"]
    list_filter = ["account", "status"]
    search_fields = ["number"]


@admin.register(Waybill)
class WaybillAdmin(ReadOnlyAdmin):
    list_display = ["number", "shipment", "account", "sort_code", "status", "print_count", "created_at"]
    list_filter = ["status", "account"]
    search_fields = ["number", "shipment__number"]


@admin.register(ChannelLabelPrivacy)
class ChannelLabelPrivacyAdmin(admin.ModelAdmin):
    list_display = ["channel", "mask_name", "mask_phone", "mask_address"]
