"""Run the benchmark: `python bench/run.py [--scale 1.0] [--regenerate] [--requests 30]`.

Works on the configured database (DATABASE_URL: PostgreSQL in earnest, SQLite for a quick look),
generates the data set first if it is not there, then measures the lists, our selector against
guardian's, the fan-out and the history's cost, prints the tables with PASS/MISS per target and
writes the results to bench/results/<vendor>-<timestamp>.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARTS = ("lists", "selectors", "fanout", "history")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the data set; 1.0 is full size")
    parser.add_argument("--regenerate", action="store_true", help="drop the data set and generate it again")
    parser.add_argument("--requests", type=int, default=30, help="timed runs of each measurement")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before the timed ones")
    parser.add_argument("--fanout", type=int, default=10_000, help="recipients of the fan-out")
    parser.add_argument("--fanout-runs", type=int, default=3, help="timed runs of the fan-out")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS), help="measure only these")
    return parser.parse_args(argv)


def dataset_counts() -> dict[str, int]:
    from clearinghouse.models import Advisory, AdvisoryGroupObjectPermission, Delivery, Vulnerability
    from eo_portal.models import Organisation
    from grants.models import Application
    from reviews.models import ReviewCase, ReviewCaseGroupObjectPermission
    from workforce.models import Opening

    models = (Organisation, ReviewCase, ReviewCaseGroupObjectPermission, Vulnerability, Advisory,
              AdvisoryGroupObjectPermission, Delivery, Application, Opening)
    return {model._meta.label: model.objects.count() for model in models}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from bench import comparisons, fanout, history_cost, lists, report, targets
    from bench.generate import ensure_dataset

    results: dict[str, Any] = {
        "vendor": connection.vendor,
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scale": args.scale,
        "requests": args.requests,
        "warmup": args.warmup,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
    }
    results["generation_seconds"] = ensure_dataset(args.scale, regenerate=args.regenerate)
    results["dataset"] = dataset_counts()
    print(f"Data set: {results['dataset']}")
    measure = {"runs": args.requests, "warmup": args.warmup}
    started = time.perf_counter()
    if "lists" in args.only:
        print("Lists (Django test client):")
        results["lists"], results["notes"] = lists.measure_lists(**measure)
    if "selectors" in args.only:
        print("Review cases: our selector against guardian's shortcut and no filter:")
        results["selectors"] = comparisons.compare_selectors(**measure)
    if "fanout" in args.only:
        print("Fan-out:")
        results["fanout"] = fanout.measure_fanout(recipients=args.fanout, runs=args.fanout_runs)
    if "history" in args.only:
        print("History's cost to a service write:")
        results["history"] = history_cost.measure_history_cost(**measure)
    results["measuring_seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_at_end"] = os.getloadavg()
    results["targets"] = targets.evaluate(results)
    print()
    print(report.summary(results))
    print(f"\nResults: {report.save(results)}")
    return results


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    from bench.database import setup_django

    setup_django()
    run(args)


if __name__ == "__main__":
    main()
