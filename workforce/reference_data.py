"""Reference data the hiring program starts with: the Tech Force pathways and NICE work roles.

Loaded by a migration; agencies may add more in the admin.
"""

# NICE Workforce Framework work roles (Components v1.0.0) most used in federal cyber hiring.
# The AI roles carry portal codes (EO-AI-…) until the Framework publishes identifiers for them.
WORK_ROLES = [
    ("PD-WRL-001", "Defensive Cybersecurity", "Protection and Defense"),
    ("PD-WRL-002", "Digital Forensics", "Protection and Defense"),
    ("PD-WRL-003", "Incident Response", "Protection and Defense"),
    ("PD-WRL-005", "Insider Threat Analysis", "Protection and Defense"),
    ("PD-WRL-006", "Threat Analysis", "Protection and Defense"),
    ("PD-WRL-007", "Vulnerability Analysis", "Protection and Defense"),
    ("DD-WRL-001", "Cybersecurity Architecture", "Design and Development"),
    ("DD-WRL-003", "Secure Software Development", "Design and Development"),
    ("DD-WRL-005", "Software Security Assessment", "Design and Development"),
    ("DD-WRL-007", "Systems Testing and Evaluation", "Design and Development"),
    ("IO-WRL-001", "Data Analysis", "Implementation and Operation"),
    ("EO-AI-001", "AI/ML Security Specialist", "Artificial Intelligence (portal addition)"),
    ("EO-AI-002", "AI Red Teaming and Model Evaluation", "Artificial Intelligence (portal addition)"),
]

# slug, name, hiring authority, who may apply, description, typical length
PATHWAYS = [
    (
        "tech-force-fellowship",
        "Tech Force fellowship",
        "Schedule A excepted service (term appointment)",
        "U.S. citizens with technical skills, including recent graduates and career changers.",
        "A paid fellowship placing technologists in agency cyber teams, with training and mentoring.",
        "2 years",
    ),
    (
        "direct-hire-it",
        "Direct-hire authority for IT management",
        "Government-wide direct-hire authority, 2210 series",
        "U.S. citizens who meet the qualifications; no rating and ranking or veterans' preference.",
        "Agencies hire qualified IT and cybersecurity specialists quickly, without the usual ranking.",
        "Permanent",
    ),
    (
        "ctms",
        "Cybersecurity Talent Management System",
        "6 U.S.C. 658 (DHS Cybersecurity Talent Management System)",
        "U.S. citizens with demonstrated cybersecurity expertise.",
        "Market-sensitive pay bands and skills-based assessment for DHS cybersecurity roles.",
        "Permanent or term",
    ),
    (
        "pathways-recent-graduates",
        "Pathways Recent Graduates",
        "Schedule D, Pathways Programs",
        "People who completed a degree or certificate in the last two years (six for veterans).",
        "A one-year development programme that can lead to a permanent position.",
        "1 year, then conversion",
    ),
    (
        "veterans-appointing-authorities",
        "Veterans' appointing authorities",
        "VRA, 30% or more disabled veterans, VEOA",
        "Eligible veterans.",
        "Non-competitive and competitive routes for veterans into cyber positions.",
        "Permanent",
    ),
]
