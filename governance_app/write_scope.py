"""Governance rows change only inside an action (governance_app.actions): the one path that writes
the audit row with the change. The models' querysets and save()/delete() ask `check()`, so an ORM
write anywhere else (a view, a job, a shell one-liner) fails loudly instead of going unaudited."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from .errors import WriteOutsideActions

_in_action: ContextVar[bool] = ContextVar("governance_in_action", default=False)


@contextmanager
def acting() -> Iterator[None]:
    """Allow governance writes for the block (actions use it through @action; tests of database
    constraints use it to write rows the actions would refuse)."""
    token = _in_action.set(True)
    try:
        yield
    finally:
        _in_action.reset(token)


def action(fn: Callable) -> Callable:
    """An audited action: one transaction, inside which governance rows may be written."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with acting(), transaction.atomic():
            return fn(*args, **kwargs)

    return run


def check(model_name: str, verb: str) -> None:
    if not _in_action.get():
        raise WriteOutsideActions(
            f"{model_name} rows change only through governance_app.actions ({verb} refused): "
            "the actions write the audit row with the change."
        )
