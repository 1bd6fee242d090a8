"""The filter form every report shares: date range, channel, warehouse, granularity."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.forms import StyledFormMixin, style_fields

GRANULARITIES = [("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]

# <input type="date"> takes only ISO dates, whatever the language of the page.
ISO_DATE = "%Y-%m-%d"


class ReportFilterForm(StyledFormMixin, forms.Form):
    small_widgets = True

    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    granularity = forms.ChoiceField(
        label=pgettext_lazy("report period", "By"),
        choices=GRANULARITIES,
        required=False,
    )

    MAX_DAYS = 3 * 366

    def __init__(self, *args, channels=(), warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *channels]
        self.fields["warehouse"].choices = [("", _("All warehouses")), *warehouses]
        # Styled without errors here (asking for them would validate now); full_clean marks the invalid ones.
        style_fields(self.fields, small=self.small_widgets)

    def full_clean(self):
        super().full_clean()
        self._style()

    def clean_defaults(self) -> dict:
        """The filters when none were given (the last 30 days, all channels, by day), shown in the form."""
        data = self._with_defaults({})
        for name in ("date_from", "date_to", "granularity"):
            self.fields[name].initial = data[name]
        self.cleaned_data = data
        return data

    def clean(self):
        return self._with_defaults(super().clean())

    def _with_defaults(self, data: dict) -> dict:
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - timedelta(days=29)
        data["granularity"] = data.get("granularity") or "day"
        if not self.is_bound:
            return data
        if data["date_from"] > data["date_to"]:
            self.add_error("date_from", _("The start date must be on or before the end date."))
        elif (data["date_to"] - data["date_from"]).days > self.MAX_DAYS:
            self.add_error("date_from", _("Choose at most three years."))
        return data
