"""Generate the benchmark's data set: `python bench/generate.py [--scale 1.0] [--regenerate]`.

At scale 1.0: 1,000 organisations with their people, 100,000 review cases, vulnerabilities,
advisories, grant applications and job openings, a million advisory deliveries, and the object
permissions and history rows the services would have written for them. Bulk inserts in batches
of 5,000, never a service per row; seeded, so the same scale gives the same data.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 2026


def generate(scale: float = 1.0, seed: int = SEED, *, log=print) -> dict[str, float]:
    """Write the data set into the configured database (migrated, with no data set yet); returns
    the seconds each part took."""
    from bench import data_clearinghouse, data_core, data_grants, data_reviews, data_workforce, database
    from bench.plan import Plan
    from eo_portal.audit import system_user

    plan = Plan.at(scale)
    rng = random.Random(seed)
    by = system_user()
    seconds: dict[str, float] = {}

    def part(name: str, step):
        started = time.perf_counter()
        result = step()
        seconds[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {seconds[name]} s")
        return result

    with database.bulk_load():
        world = part("organisations and people", lambda: data_core.generate_core(plan, by, rng))
        part("review cases", lambda: data_reviews.generate_reviews(plan, world, rng))
        vulnerabilities = part("vulnerabilities", lambda: data_clearinghouse.generate_vulnerabilities(plan, world, rng))
        part(
            "advisories and deliveries",
            lambda: data_clearinghouse.generate_advisories(plan, world, vulnerabilities, rng),
        )
        part("grant applications", lambda: data_grants.generate_grants(plan, world, rng))
        part("job openings", lambda: data_workforce.generate_workforce(plan, world, rng))
    _finish(plan, seed, by)
    return seconds


def _finish(plan, seed: int, by) -> None:
    """The services' next references follow the generated ones; the marker goes last, so that a
    generation cut short is not taken for a whole data set."""
    from bench.database import MARKER_SLUG, marker
    from eo_portal import deadlines
    from eo_portal.audit import save_audited
    from eo_portal.models import Organisation, ReferenceSequence

    year = deadlines.today().year
    last = {"MRC": plan.cases, "CHV": plan.vulnerabilities, "CHA": plan.advisories, "GRANT": plan.applications,
            "TF": plan.openings}
    for prefix, value in last.items():
        ReferenceSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last_value": value})
    flagged = Organisation.objects.get(slug=MARKER_SLUG)
    flagged.description = marker(plan.scale, seed)
    save_audited(flagged, by=by, reason="benchmark data set complete", validate=False)


def ensure_dataset(scale: float, *, regenerate: bool = False, seed: int = SEED, log=print) -> dict[str, float]:
    """Generate the data set unless the same one is there already; with `regenerate`, start from
    an empty database first. Returns the generation's timings (empty when nothing was made)."""
    from bench import database

    database.migrate()
    found = database.dataset_marker()
    if found == database.marker(scale, seed) and not regenerate:
        log(f"Data set present ({found}).")
        return {}
    if found is not None or regenerate:
        log("Dropping the old data set …")
        database.wipe()
    elif database.holds_other_data():
        raise SystemExit("This database holds data the benchmark did not make; use a database of its own.")
    log(f"Generating the data set at scale {scale} …")
    started = time.perf_counter()
    seconds = generate(scale, seed, log=log)
    database.analyse()
    seconds["total"] = round(time.perf_counter() - started, 1)
    log(f"Generated in {seconds['total']} s.")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is full size (a million deliveries)")
    parser.add_argument("--regenerate", action="store_true", help="drop the data set and make it again")
    args = parser.parse_args(argv)
    from bench.database import setup_django

    setup_django()
    ensure_dataset(args.scale, regenerate=args.regenerate)


if __name__ == "__main__":
    main()
