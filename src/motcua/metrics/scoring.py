"""Scoring the counts with a versioned indicator set (shared with the national monitor: `protocol.index766`),
and the band a total falls in."""

from __future__ import annotations

from motcua.protocol.index766 import DEFAULT_CONFIG, NO_CATALOG, assemble, load_config

__all__ = ["DEFAULT_CONFIG", "NO_CATALOG", "assemble", "band", "load_config"]


def band(total, config: str = DEFAULT_CONFIG) -> dict:
    levels = load_config(config)["bands"]["levels"]
    return next(level for level in levels if float(total) >= level["min"])
