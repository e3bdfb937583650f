"""Scoring the counts with a versioned indicator set (shared with the national monitor: `protocol.index766`),
and the band a total falls in."""

from __future__ import annotations

from motcua.protocol.index766 import DEFAULT_CONFIG, NO_CATALOG, assemble, load_config

__all__ = ["DEFAULT_CONFIG", "NO_CATALOG", "assemble", "band", "indicator_of", "load_config"]


def band(total, config: str = DEFAULT_CONFIG) -> dict:
    levels = load_config(config)["bands"]["levels"]
    return next(level for level in levels if float(total) >= level["min"])


def indicator_of(indicator_id: str, config: str = DEFAULT_CONFIG) -> dict | None:
    """An indicator of the set (id, name_vi, name_en, …), or None."""
    return next((i for i in load_config(config)["indicators"] if i["id"] == indicator_id), None)
