"""The after-sales reason list (why a customer asks), kept by admins."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Reason(models.Model):
    """Why a customer asks for after-sales; admins keep the list in Django admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    supplier_at_fault = models.BooleanField(
        _("supplier at fault"),
        default=False,
        help_text=_("Cases with this reason usually charge the supplier's share back to the supplier."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("after-sales reason")
        verbose_name_plural = _("after-sales reasons")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the starting names are catalogue messages, typed ones as typed."""
        return gettext(self.name) if self.name else ""
