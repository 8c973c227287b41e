"""Publishing an advisory to 10,000 organisations: `clearinghouse.services.distribute_advisory`
end to end (recipients, deliveries, grants, notifications, all with history, and the e-mail
tasks queued on commit), against one save() per delivery on 2,000 organisations.

Everything happens inside a transaction that is rolled back: the recipients made for the run,
the advisory and what distributing it wrote all go, and the data set stays as generated."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from bench.bulk import write
from bench.data_core import REASON, Org, add_people, save_organisations
from bench.measure import count_queries, summarise
from clearinghouse import selectors, services
from clearinghouse.models import Advisory, Delivery, Tlp
from clearinghouse.workflow import AdvisoryStatus
from eo_portal import permissions
from eo_portal.audit import save_audited, system_user
from eo_portal.models import Organisation
from eo_portal.models import OrganisationKind as Kind
from eo_portal.services import notify

NAIVE_RECIPIENTS = 2_000


def _recipients(total: int, by) -> list[int]:
    """Local governments enough that there are `total` active ones, each with one member."""
    missing = total - Organisation.objects.filter(kind=Kind.LOCAL, is_active=True).count()
    new = [
        Organisation(name=f"Fan-out local {n}", short_name=f"F-local-{n}", slug=f"bench-fanout-local-{n:05d}",
                     kind=Kind.LOCAL)
        for n in range(max(0, missing))
    ]
    save_organisations(new, by, random.Random(0))
    add_people([Org(o.pk, o.group_id, o.kind, o.slug) for o in new], by, lambda org: 1)
    return list(Organisation.objects.filter(kind=Kind.LOCAL, is_active=True).order_by("pk").values_list("pk", flat=True))


def _advisory(by, *, tlp: str, named: list[int] = ()) -> Advisory:
    """A published advisory for every local government (TLP:GREEN), or for the named ones (TLP:AMBER)."""
    now = timezone.now()
    [advisory] = write(
        Advisory,
        [Advisory(reference=f"CHA-BENCH-{len(named)}", title="Bench fan-out advisory", summary="Patch now.",
                  tlp=tlp, audience_kinds=[Kind.LOCAL] if tlp == Tlp.GREEN else [], status=AdvisoryStatus.PUBLISHED,
                  revision=1, published_at=now, created_by=by)],
        by=by,
        reason=REASON,
    )
    links = Advisory.named_organisations.through
    write(links, [links(advisory_id=advisory.pk, organisation_id=pk) for pk in named], by=by, reason=REASON,
          history=False)
    return advisory


def distribute_one_by_one(advisory: Advisory, *, by) -> int:
    """The fan-out as it would be written without bulk helpers: per recipient, a saved delivery,
    a grant and a notification to its members, each with its history row."""
    recipients = list(selectors.recipients_of(advisory).exclude(pk__in=selectors.delivered_organisation_ids(advisory)))
    for organisation in recipients:
        delivery = Delivery(advisory=advisory, organisation=organisation, delivered_at=timezone.now(),
                            delivered_revision=advisory.revision)
        save_audited(delivery, by=by, reason=f"delivered revision {advisory.revision}", validate=False)
        permissions.grant_to_organisation("view_advisory", advisory, organisation, by=by)
        notify(selectors.members_of_recipients(advisory, [organisation.pk]), by=by,
               subject=f"New advisory {advisory.reference}", link=f"/clearinghouse/advisories/{advisory.reference}/")
    return len(recipients)


def _timed(distribute: Callable[..., int], advisory: Advisory, by, runs: int) -> dict[str, Any]:
    """Each run in a savepoint rolled back afterwards; the on-commit work (queuing e-mail) runs
    inside the timing, as it would at commit."""
    seconds, delivered = [], 0
    for _ in range(runs):
        with transaction.atomic():
            started = time.perf_counter()
            with TestCase.captureOnCommitCallbacks(execute=True):
                delivered = distribute(advisory, by=by)
            seconds.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    with transaction.atomic():
        queries = count_queries(lambda: distribute(advisory, by=by))
        transaction.set_rollback(True)
    return {"recipients": delivered, **summarise(seconds, queries).as_dict()}


def measure_fanout(*, recipients: int, runs: int, log=print) -> dict[str, Any]:
    by = system_user()
    result: dict[str, Any] = {}
    with transaction.atomic():
        log(f"  making {recipients} recipient organisations (rolled back afterwards) …")
        locals_ = _recipients(recipients, by)
        wide = _advisory(by, tlp=Tlp.GREEN)
        result["bulk, all"] = _timed(services.distribute_advisory, wide, by, runs)
        log(f"  bulk fan-out to {result['bulk, all']['recipients']}: median {result['bulk, all']['median_ms']:.0f} ms, "
            f"{result['bulk, all']['queries']} queries")
        few = _advisory(by, tlp=Tlp.AMBER, named=locals_[:NAIVE_RECIPIENTS])
        for name, distribute in (("bulk", services.distribute_advisory), ("one save() each", distribute_one_by_one)):
            key = f"{name}, {NAIVE_RECIPIENTS}"
            result[key] = _timed(distribute, few, by, 1 if distribute is distribute_one_by_one else runs)
            log(f"  {key}: median {result[key]['median_ms']:.0f} ms, {result[key]['queries']} queries")
        transaction.set_rollback(True)
    return result
