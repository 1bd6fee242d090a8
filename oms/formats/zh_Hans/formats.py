"""Simplified Chinese number formats: group thousands with commas (¥498,437.60), as Chinese finance does.

Django's zh_Hans locale has no thousands separator (and groups by 4); everything not set here
(dates, input formats) falls through to Django's own zh_Hans module.
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
