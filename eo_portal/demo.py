"""The demo organisations and accounts that `manage.py seed_demo` creates (listed in the README)."""

from eo_portal.models import OrganisationKind as Kind
from eo_portal.models import Role, Sector

# slug, name, short name, kind, sectors, UEI
ORGANISATIONS = [
    ("lab-a", "Frontier Lab A", "Lab A", Kind.LAB, (), ""),
    ("lab-b", "Frontier Lab B", "Lab B", Kind.LAB, (), ""),
    ("partner-a", "Trusted Partner A", "Partner A", Kind.PARTNER, (), ""),
    ("partner-b", "Trusted Partner B", "Partner B", Kind.PARTNER, (), ""),
    ("dhs", "Department of Homeland Security", "DHS", Kind.AGENCY, (), ""),
    ("state-franklin", "State of Franklin", "Franklin", Kind.STATE, (), "FRNKLN2STATE"),
    ("harbor-county", "Harbor County", "Harbor County", Kind.LOCAL, (), "HRBRC0UNTY12"),
    ("cedar-river-tribe", "Cedar River Tribe", "Cedar River", Kind.TRIBAL, (), "CDRRVRTR1BE3"),
    ("millbrook", "Town of Millbrook", "Millbrook", Kind.LOCAL, (), "M1LLBR00KTWN"),
    ("pacific-territory", "Pacific Territory Government", "Pacific Territory", Kind.TERRITORIAL, (), ""),
    ("grid-energy", "Grid Energy Cooperative", "Grid Energy", Kind.OPERATOR, (Sector.ENERGY,), "GR1DENERGY45"),
    ("clearwater", "Clearwater Utility District", "Clearwater", Kind.OPERATOR, (Sector.WATER,), "CLEARWATER67"),
]

# user name, full name, organisation slug (None: no organisation), role
ACCOUNTS = [
    ("lab-a-manager", "Avery Lab-A", "lab-a", Role.MANAGER),
    ("lab-a-member", "Blake Lab-A", "lab-a", Role.MEMBER),
    ("lab-a-viewer", "Casey Lab-A", "lab-a", Role.VIEWER),
    ("lab-b-manager", "Drew Lab-B", "lab-b", Role.MANAGER),
    ("partner-a-manager", "Emery Partner-A", "partner-a", Role.MANAGER),
    ("partner-b-manager", "Finley Partner-B", "partner-b", Role.MANAGER),
    ("cisa-reviewer", "Gray CISA", "cisa", Role.MEMBER),
    ("nsa-reviewer", "Harper NSA", "nsa", Role.MEMBER),
    ("nist-reviewer", "Indigo NIST", "nist", Role.MEMBER),
    ("treasury-coordinator", "Jordan Treasury", "treasury", Role.MEMBER),
    ("cisa-coordinator", "Kai CISA", "cisa", Role.MEMBER),
    ("omb-grants", "Logan OMB", "omb", Role.MEMBER),
    ("opm-hiring", "Morgan OPM", "opm", Role.MEMBER),
    ("dhs-hiring", "Noel DHS", "dhs", Role.MEMBER),
    ("whitehouse-staff", "Oakley White House", "white-house", Role.MEMBER),
    ("state-applicant", "Parker Franklin", "state-franklin", Role.MANAGER),
    ("county-applicant", "Quinn Harbor", "harbor-county", Role.MANAGER),
    ("tribe-applicant", "Reese Cedar", "cedar-river-tribe", Role.MANAGER),
    ("town-clerk", "Rowan Millbrook", "millbrook", Role.MANAGER),
    ("operator-energy", "Sage Grid", "grid-energy", Role.MANAGER),
    ("operator-water", "Tatum Clearwater", "clearwater", Role.MANAGER),
    ("jobseeker", "Uma Public", None, None),
]
ADMIN_USERNAME = "admin"

# mandate code, reporting account, status, evidence path, evidence label
MANDATE_PROGRESS = [
    ("review-framework", "cisa-reviewer", "delivered", "/reviews/", "Voluntary review cases in the portal"),
    ("cyber-hiring", "opm-hiring", "delivered", "/workforce/pathways/", "Tech Force hiring pathways"),
    ("cyber-guidance", "cisa-coordinator", "delivered", "/clearinghouse/directives/", "BOD 27-01 and guidance CG 27-01"),
    ("clearinghouse", "treasury-coordinator", "in_progress", "/clearinghouse/", "The clearinghouse's advisories"),
    ("defensive-tools", "cisa-coordinator", "in_progress", "/clearinghouse/tools/", "Defensive-tools catalogue"),
]
