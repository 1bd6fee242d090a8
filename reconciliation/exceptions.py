"""Domain errors of supplier reconciliation, each with a message a finance clerk can act on."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.exceptions import DomainError, IllegalTransition


class StatementNotEditable(IllegalTransition):
    def __init__(self, statement) -> None:
        super().__init__(
            _(
                "Statement %(number)s is %(state)s: lines can only change on a draft. "
                "Reopen it as a draft first (a rejected statement) or start a new statement."
            )
            % {"number": statement.number, "state": statement.get_status_display()}
        )


class ItemsNotAvailable(DomainError):
    http_status = 409

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "%(count)d item is already on another statement or reconciled; reload the list and choose again.",
                "%(count)d items are already on another statement or reconciled; reload the list and choose again.",
                count,
            )
            % {"count": count}
        )


class StatementEmpty(DomainError):
    def __init__(self) -> None:
        super().__init__(_("The statement has no lines: select the items to reconcile before submitting it."))


class UnresolvedDifferences(DomainError):
    http_status = 409

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "%(count)d difference with the supplier's bill is unresolved: resolve it (accept theirs, "
                "accept ours or add an adjustment line) before submitting.",
                "%(count)d differences with the supplier's bill are unresolved: resolve each (accept theirs, "
                "accept ours or add an adjustment line) before submitting.",
                count,
            )
            % {"count": count}
        )


class BillStillMatching(DomainError):
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            _("The supplier's bill is still being matched: wait until matching has finished, then submit.")
        )


class BillNotMatched(DomainError):
    http_status = 409

    def __init__(self, name: str) -> None:
        super().__init__(
            _(
                "The supplier's bill %(name)s has not been matched against this statement: open it and match it "
                "(or import a corrected bill), resolve the differences, then submit."
            )
            % {"name": name}
        )


class ReasonRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Give a reason for the rejection so the clerk knows what to fix."),
            field_errors={"reason": [_("Give a reason.")]},
        )


class AlreadyReconciled(DomainError):
    http_status = 409

    def __init__(self, count: int) -> None:
        super().__init__(
            ngettext(
                "%(count)d item of this statement is already reconciled: nothing was changed. "
                "Tell the administrator.",
                "%(count)d items of this statement are already reconciled: nothing was changed. "
                "Tell the administrator.",
                count,
            )
            % {"count": count}
        )


class MappingIncomplete(DomainError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            _("Choose which column of the bill holds: %(fields)s.") % {"fields": ", ".join(missing)},
            field_errors={name: [_("Choose a column.")] for name in missing},
        )


class BillUnreadable(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            _(
                "The file could not be read as CSV or XLSX (%(reason)s). Save it as .csv (UTF-8) or .xlsx and upload again."
            )
            % {"reason": reason}
        )


class BillColumnsMissing(DomainError):
    def __init__(self, columns: list[str]) -> None:
        super().__init__(
            _(
                "The bill has no column named %(columns)s, which the saved column mapping expects. "
                "Correct the column mapping for this supplier, or upload the bill with those columns."
            )
            % {"columns": ", ".join(f"“{c}”" for c in columns)},
        )


class DifferenceAlreadyResolved(DomainError):
    http_status = 409

    def __init__(self) -> None:
        super().__init__(_("This difference was already resolved; reload the page to see how."))


class AdjustmentInvalid(DomainError):
    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        super().__init__(
            _("The adjustment line needs an amount other than zero and a note."), field_errors=field_errors
        )


class SettlementInvalid(DomainError):
    def __init__(self, message: str, field: str = "amount") -> None:
        super().__init__(message, field_errors={field: [message]})
