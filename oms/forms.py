"""Form helpers every app shares: Bootstrap styling of widgets, with invalid fields marked; a service's refusal on a form."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms


def style_fields(fields, *, errors=None, small: bool = False) -> None:
    """Give each widget its Bootstrap class (``-sm`` for filter bars); fields with errors are marked."""
    size = " form-select-sm" if small else ""
    for name, field in fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + size
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        if errors and name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class StyledFormMixin:
    """Mixin for ``forms.Form`` / ``ModelForm``: call ``self._style()`` (after ``full_clean`` too)."""

    small_widgets = False

    def _style(self) -> None:
        style_fields(self.fields, errors=self.errors if self.is_bound else None, small=self.small_widgets)


def form_add_domain_error(form: forms.BaseForm, exc, *, also_on_top_for: Iterable[str] = ()) -> None:
    """Show a service's refusal (a ``DomainError``) on the fields it names, else above the form.

    ``also_on_top_for``: field names whose refusal is shown above the form as well (a list the form draws itself).
    """
    placed = False
    for name, errors in exc.field_errors.items():
        if name in form.fields:
            for error in errors:
                form.add_error(name, error)
            placed = True
    if not placed or any(exc.field_errors.get(name) for name in also_on_top_for):
        form.add_error(None, exc.message)
