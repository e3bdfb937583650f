"""The one writer of dossier state, by topic: `intake` (submission, reception, the supplement loop),
`handling` (steps, transfers, payment, reschedule), `closing` (result, return, stop, withdrawal,
rating); `_core` is the transaction skeleton they all run in, `steps` the step bookkeeping.

`perform(action, code, actor, …)` is the one entry the API and the pages use for lifecycle actions:
the action must be an edge of `dossiers.transitions` with a service function registered by
`@handles`, so adding an action is one edge plus its function.
"""

from __future__ import annotations

import inspect

from motcua.common.errors import NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.services._core import HANDLERS
from motcua.dossiers.services.closing import rate, resolve, return_result, stop, withdraw
from motcua.dossiers.services.handling import (
    confirm_payment,
    forward,
    reassign,
    request_payment,
    reschedule,
    send_back,
    transfer,
)
from motcua.dossiers.services.intake import Submission, receive, refuse, request_supplement, resubmit, submit
from motcua.dossiers.transitions import lifecycle_edges

__all__ = [
    "HANDLERS",
    "Submission",
    "confirm_payment",
    "forward",
    "lifecycle_actions",
    "parameters_of",
    "perform",
    "rate",
    "reassign",
    "receive",
    "refuse",
    "request_payment",
    "request_supplement",
    "reschedule",
    "resolve",
    "resubmit",
    "return_result",
    "send_back",
    "stop",
    "submit",
    "transfer",
    "withdraw",
]


def lifecycle_actions() -> list[str]:
    """The actions `perform` takes: the table's edges from a status, with a service function."""
    return [a for a in lifecycle_edges() if a in HANDLERS]


def parameters_of(action: str) -> dict[str, inspect.Parameter]:
    """The fields an action reads (its service function's keyword parameters, `version` aside)."""
    params = inspect.signature(HANDLERS[action]).parameters.values()
    return {p.name: p for p in params if p.kind is p.KEYWORD_ONLY and p.name != "version"}


def perform(action: str, code: str, actor, *, version: int | None = None, **fields) -> Dossier:
    """Take lifecycle `action` on dossier `code` as `actor`; fields the action does not read are
    ignored. Everything else (visibility, table, role, meaning) is checked by the service."""
    if action not in lifecycle_actions():
        raise NotFound("unknown_action", f"Không có thao tác '{action}'.", f"There is no action '{action}'.")
    wanted = parameters_of(action)
    return HANDLERS[action](code, actor, version=version, **{k: v for k, v in fields.items() if k in wanted})
