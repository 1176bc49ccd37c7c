"""Errors either store raises, in words a user can act on."""


class TransactionConflict(RuntimeError):
    """A write still conflicted after all retries."""


class StoreUnavailable(RuntimeError):
    """The database cannot be opened (held by another process, server down, software missing)."""
