"""How many rows of each kind the generator makes at a scale (1.0: a million deliveries)."""

from __future__ import annotations

from dataclasses import dataclass

from eo_portal.models import OrganisationKind as Kind

# Shares of the organisations that are not federal agencies (the agencies: the order's seven,
# from the migrations, and a few more). Operators take what is left.
KIND_SHARES = (
    (Kind.LAB, 0.10),
    (Kind.PARTNER, 0.07),
    (Kind.STATE, 0.056),
    (Kind.LOCAL, 0.30),
    (Kind.TRIBAL, 0.06),
    (Kind.TERRITORIAL, 0.005),
)
EXTRA_AGENCY_SHARE = 0.01
SMALLEST_ORGANISATION_COUNT = 60


@dataclass(frozen=True)
class Plan:
    scale: float
    organisations: int
    cases: int
    vulnerabilities: int
    advisories: int
    deliveries: int
    opportunities: int
    applications: int
    openings: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        if scale <= 0:
            raise ValueError("the scale must be above 0")

        def rows(full: int, least: int = 1) -> int:
            return max(least, round(full * scale))

        return cls(
            scale=scale,
            # Below a few dozen organisations every kind could not have its own.
            organisations=rows(1_000, SMALLEST_ORGANISATION_COUNT),
            cases=rows(100_000),
            vulnerabilities=rows(100_000),
            advisories=rows(100_000),
            deliveries=rows(1_000_000),
            opportunities=rows(300, 3),
            applications=rows(100_000),
            openings=rows(100_000),
        )

    def kind_counts(self, existing: int) -> dict[str, int]:
        """Organisations to make of each kind, besides the `existing` ones (the order's agencies)."""
        agencies = max(1, round(self.organisations * EXTRA_AGENCY_SHARE))
        others = self.organisations - existing - agencies
        counts = {kind: max(1, round(others * share)) for kind, share in KIND_SHARES}
        counts[Kind.OPERATOR] = max(1, others - sum(counts.values()))
        return {Kind.AGENCY: agencies, **counts}
