"""Domain errors shared by every app; each carries a message a user can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A refused business action. ``message`` is shown to the user as it is."""

    http_status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field_errors = field_errors or {}

    def __str__(self) -> str:
        return self.message


class IllegalTransition(DomainError):
    """The record is not in a state that allows this action (HTTP 409 in the API)."""

    http_status = 409


class PermissionRefused(DomainError):
    http_status = 403
