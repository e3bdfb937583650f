"""The node's side of the one formula table (`protocol.index766.FORMULAS`, shared with the national monitor).

The table names, for each formula, the dossier counts of its numerator and denominator; each count is
one filter (`protocol.index766.filters`). Here they are bound to the node's fact rows: what "synced"
means on the node, the counts and drill-down filters of the index read from the facts, which procedures
had dossiers (catalog indicators), and how the rollups keep the counts that are judged only when read.
"""

from __future__ import annotations

from django.db.models import Count, Q

from motcua.protocol import index766

# a dossier the national portal acknowledged (joined: fact.sync_state, not probed once per row)
SYNCED = Q(sync_state__acked_version__gte=1)


def aggregates(as_of) -> dict:
    """Every count of the index as COUNT … FILTER over fact rows, open dossiers judged as of `as_of`."""
    return index766.aggregates(as_of, synced=SYNCED)


def parts(formula: str, as_of) -> tuple[Q, Q] | None:
    """(numerator, denominator) of a formula as filters on fact rows (drill-down); None: not from dossiers."""
    return index766.parts(formula, as_of, synced=SYNCED)


# -- catalog indicators (3.2, 3.5a, 3.5b): which procedures had dossiers online, fee-bearing, paid online --
USED = {
    "online": Q(channel=2),
    "fee_bearing": index766.FEE,
    "paid_online": index766.FEE & Q(paid_online=True),
}


def used_counts() -> dict:
    """COUNT … FILTER of each kind of use (n_online, n_fee_bearing, n_paid_online, in that order)."""
    return index766.count_each(USED)


# -- the rollups ---------------------------------------------------------------------------------------------
# Open dossiers cannot be judged when the rollups are built: the rollups keep the ended ones by outcome and
# the open ones apart (by index deadline day), and a reader judges those as of its instant (`index_counts`).
OPEN_ONE_REQUEST = index766.OPEN_ONE_REQUEST  # within or past by their deadline
OPEN_MORE_REQUESTS = index766.OPEN & index766.MORE_THAN_ONE_REQUEST  # late whatever the time


def rollup_sums() -> dict:
    """COUNT … FILTER of every count a daily rollup row keeps (named as its columns, prefixed n_)."""
    eligible = Q(procedure_version__full_process_eligible=True)
    return {
        **index766.counted_anytime(synced=SYNCED),
        "n_ended_on_time": Count("pk", filter=index766.ENDED_ON_TIME),
        "n_ended_late": Count("pk", filter=index766.ENDED_LATE),
        "n_open_one_request": Count("pk", filter=OPEN_ONE_REQUEST),
        "n_open_one_request_disliked": Count("pk", filter=OPEN_ONE_REQUEST & index766.DISLIKED),
        "n_open_more_requests": Count("pk", filter=OPEN_MORE_REQUESTS),
        "n_full_process_eligible": Count("pk", filter=eligible),
        "n_full_process_online": Count("pk", filter=eligible & Q(channel=2)),
    }


SUMS = tuple(name[2:] for name in rollup_sums())  # the columns of `metrics.models.Sums`
# the open dossiers with at most one request judged as of the reader's instant: within their time (and of
# those, the disliked ones), past it (with the open dossiers of more than one request)
JUDGED = ("within", "within_disliked", "past")


def index_counts(c: dict) -> dict:
    """The counts of the index (the keys `protocol.index766.filters` names) from rollup sums and the judged
    open dossiers: the same figures the filters count on the fact rows."""
    return {
        "received": c["received"],
        "synced": c["synced"],
        "on_time": c["ended_on_time"] + c["within"],
        "online": c["online"],
        "fee_bearing": c["fee_bearing"],
        "paid_online": c["paid_online"],
        "paper_result": c["paper_result"],
        "electronic_result": c["electronic_result"],
        "digitized": c["digitized"],
        "reused": c["reused"],
        "from_data_store": c["from_data_store"],
        "late": c["ended_late"] + c["past"],
        "disliked": c["disliked"],
        "late_or_disliked": c["ended_late_or_disliked"] + c["past"] + c["within_disliked"],
        "full_process_eligible": c["full_process_eligible"],
        "full_process_online": c["full_process_online"],
    }
