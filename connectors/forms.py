"""Forms of the connectors screens: a shop's settings and credentials, the lists' filters, a column mapping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from connectors.choices import EventStatus, Platform
from connectors.models import Connection
from oms.forms import StyledFormMixin
from orders.importers import COLUMNS


class ConnectionForm(StyledFormMixin, forms.ModelForm):
    access_token = forms.CharField(
        label=_("Admin API access token (Shopify)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Shopify: the app's client secret. WooCommerce: the secret typed in the webhook."),
    )
    consumer_key = forms.CharField(label=_("Consumer key (WooCommerce)"), required=False)
    consumer_secret = forms.CharField(
        label=_("Consumer secret (WooCommerce)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = Connection
        fields = [
            "channel",
            "platform",
            "shop_url",
            "location_id",
            "is_active",
            "write_back",
            "stock_sync",
            "stock_share_percent",
            "stock_buffer",
            "pull_enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("access_token", "webhook_secret", "consumer_key", "consumer_secret"):
            self.fields[name].help_text = self.fields[name].help_text or _(
                "Leave blank to keep the stored value."
            )
        self._style()

    def clean_shop_url(self):
        url = (self.cleaned_data.get("shop_url") or "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Enter the address with https://"))
        return url

    def secrets(self) -> dict[str, str]:
        return {
            k: self.cleaned_data.get(k) or ""
            for k in ("access_token", "webhook_secret", "consumer_key", "consumer_secret")
        }


class EventFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + EventStatus.choices, required=False
    )
    connection = forms.ModelChoiceField(
        label=_("Shop"), queryset=Connection.objects.select_related("channel"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ConnectionFilterForm(StyledFormMixin, forms.Form):
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("Any"))] + Platform.choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ListingFilterForm(StyledFormMixin, forms.Form):
    connection = forms.ModelChoiceField(
        label=_("Shop"), queryset=Connection.objects.select_related("channel"), required=False
    )
    q = forms.CharField(label=_("SKU"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MappingUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("A sample of the shop's order file (CSV or XLSX)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MappingForm(StyledFormMixin, forms.Form):
    """One choice of the file's headers for each column of the order import."""

    def __init__(self, *args, headers: list[str], initial_mapping: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in headers]
        for column in COLUMNS:
            if column == "channel":
                continue
            self.fields[column] = forms.ChoiceField(label=column, choices=choices, required=False)
            if initial_mapping and initial_mapping.get(column) in headers:
                self.fields[column].initial = initial_mapping[column]
        self._style()
