"""Rollups of the fact and step rows, and the Decision 766 index read from them.

Small tables (`metrics.models`), each rebuilt by one `INSERT … SELECT … GROUP BY` in the database:
- `DailyRollup`: received day × competent agency × unit × channel (open dossiers also by the day of
  their index deadline) — every count the index needs;
- `MonthlyProcedureRollup` (summed from `DailyProcedureRollup`): month × agency × unit × procedure —
  which procedures had online, fee-bearing and paid-online dossiers (catalog indicators);
- `StepRollup`: finished day × agency × unit × official × step — steps, late steps, office time;
- `StepDurationRollup` (summed from `DailyStepDuration`): month × agency × step × log bucket of
  office time — medians and p90.

`build`: `refresh()` rebuilds only the days whose facts, sync acknowledgements or steps changed since the
last refresh, then sums their months; `motcua index rollup --every 60` keeps them current. `read`: the index
from them, and every reader shows the time its figures are as of (`as_of`).
"""

from motcua.metrics.rollups.build import EDGES, LOCK_KEY, bucket_of, ensure_built, rebuild, refresh
from motcua.metrics.rollups.read import ROLLUP_SCOPES, as_of, compute, compute_agencies, freshness, memo

__all__ = [
    "EDGES",
    "LOCK_KEY",
    "ROLLUP_SCOPES",
    "as_of",
    "bucket_of",
    "compute",
    "compute_agencies",
    "ensure_built",
    "freshness",
    "memo",
    "rebuild",
    "refresh",
]
