"""Benchmark: deadline computations per second on one core.

A seeded mix of units (working days, working hours, fractional days, calendar days,
months) and start instants spread over 2025–2027, with amounts as the catalog stores
them (Decimal). Each round times the whole mix; the table shows the median of the rounds.

    make bench            # or: .venv/bin/python bench/workdays.py --cases 200000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from motcua.common.timeutil import VN_TZ
from motcua.workdays.sources import build_calendar

MIX = [  # (label, unit, share, amount generator)
    ("working_days", "working_days", 0.50, lambda r: Decimal(r.randint(1, 30))),
    ("working_hours", "working_hours", 0.20, lambda r: Decimal(r.randint(1, 80))),
    ("fractional days", "working_days", 0.10, lambda r: Decimal(r.randint(1, 20)) / 2),
    ("days", "days", 0.10, lambda r: Decimal(r.randint(1, 60))),
    ("months", "months", 0.10, lambda r: Decimal(r.randint(1, 12))),
]


def make_cases(n: int, seed: int = 766) -> dict[str, list]:
    rng = random.Random(seed)
    origin = datetime(2025, 1, 1, tzinfo=VN_TZ)
    span_minutes = 3 * 365 * 24 * 60 - 400 * 24 * 60  # leave room for the longest amounts inside 2027
    cases = {}
    for label, unit, share, amount in MIX:
        cases[label] = [
            (origin + timedelta(minutes=rng.randrange(span_minutes)), amount(rng), unit) for _ in range(int(n * share))
        ]
    return cases


def run(cases: list, deadline) -> float:
    t0 = time.perf_counter()
    for start, amount, unit in cases:
        deadline(start, amount, unit)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    console = Console()
    t0 = time.perf_counter()
    calendar = build_calendar("07:30-11:30,13:00-17:00", first_year=2015, last_year=2040)
    build_ms = (time.perf_counter() - t0) * 1000
    cases = make_cases(args.cases)
    everything = [c for group in cases.values() for c in group]
    random.Random(1).shuffle(everything)
    timings: dict[str, list[float]] = {label: [] for label in [*cases, "all (mixed)"]}
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("rounds", total=args.rounds)
        for _ in range(args.rounds):
            for label, group in cases.items():
                timings[label].append(len(group) / run(group, calendar.deadline))
            timings["all (mixed)"].append(len(everything) / run(everything, calendar.deadline))
            progress.advance(task)
    table = Table(title=f"bench/workdays — {len(everything):,} deadlines × {args.rounds} rounds, one core")
    table.add_column("mix")
    table.add_column("cases", justify="right")
    table.add_column("median /s", justify="right")
    table.add_column("min /s", justify="right")
    table.add_column("µs per deadline", justify="right")
    for label, rates in timings.items():
        n = len(everything) if label.startswith("all") else len(cases[label])
        median = statistics.median(rates)
        table.add_row(label, f"{n:,}", f"{median:,.0f}", f"{min(rates):,.0f}", f"{1e6 / median:.2f}")
    console.print(table)
    goal = statistics.median(timings["all (mixed)"])
    console.print(
        f"calendar build: {build_ms:.0f} ms (2015–2040) · Python {platform.python_version()} · "
        f"{platform.processor() or platform.machine()} · goal ≥ 200,000/s: {'met' if goal >= 200_000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
