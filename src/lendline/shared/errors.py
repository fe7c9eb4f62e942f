"""The LendLine error hierarchy.

::

    LendLineError
      DomainError            rule broken; expected; safe to show (e.g. InvalidResidentId)
        NotFound
        Conflict             duplicate request, concurrent update
      ProviderError          an adapter's outside system failed; ``category`` says if retrying helps
      IntegrityViolation     a ledger or audit invariant is broken: page someone

Business outcomes (a declined application, a wrong OTP) are values, not exceptions.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCategory(StrEnum):
    """How an outside failure should be handled."""

    TRANSIENT = "transient"
    PERMANENT = "permanent"

    @property
    def is_permanent(self) -> bool:
        """Return whether retrying cannot help."""
        return self is ErrorCategory.PERMANENT


class LendLineError(Exception):
    """Base of every error LendLine raises on purpose."""


class DomainError(LendLineError):
    """A business rule was broken by the input; the message is safe to show."""


class NotFound(DomainError):
    """The thing asked for does not exist."""


class Conflict(DomainError):
    """The request collides with existing state (duplicate, concurrent update)."""


class ProviderError(LendLineError):
    """An outside system behind an adapter failed."""

    def __init__(self, message: str, category: ErrorCategory = ErrorCategory.TRANSIENT) -> None:
        super().__init__(message)
        self.category = category


class IntegrityViolation(LendLineError):
    """A stored invariant (ledger balance, audit chain) does not hold."""
