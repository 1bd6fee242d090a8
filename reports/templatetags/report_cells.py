"""Formatting of report table cells: money and rates with the locale's separators."""

from datetime import date
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def cell(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0
        return floatformat(value, f"{places}g")
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, date):
        return date_filter(value, "SHORT_DATE_FORMAT")
    return value
