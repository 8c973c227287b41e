"""Real people in a real browser: headless Chromium driven by Playwright against the live server.

Chromium is Debian's (`apt-get install chromium`); Playwright's own browser download is not used.
Without it the browser tests are skipped, loudly, except in CI (`CI=true`), where that fails.

The live server answers from another thread, so these tests commit their data (pytest-django's
`live_server` makes them transactional) and the database is emptied after each one. That would
also take away what the data migrations loaded (the agencies, roles, the system account, the
pathways), which every later test relies on: after each browser test the database is given back
exactly that data (`migrated_data`, restored by `pytest_runtest_teardown`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Browser, sync_playwright

from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from tests.browser.data import agency
from tests.browser.support import ARTIFACTS, Portal, Screenshots, slug
from tests.factories import OrganisationFactory, person_in

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
MISSING = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
SKIPPED = pytest.StashKey[int]()
RESTORE = pytest.StashKey[Callable[[], None]]()


# ---------------------------------------------------------------------------
# Chromium present, skipped, or (in CI) a failure


def _is_browser_test(item: pytest.Item) -> bool:
    return HERE in Path(item.path).parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or IN_CI:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {MISSING}")
    browser_tests = [item for item in items if _is_browser_test(item)]
    for item in browser_tests:
        item.add_marker(skip)
    config.stash[SKIPPED] = len(browser_tests)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    skipped = config.stash.get(SKIPPED, 0)
    if skipped:
        terminalreporter.write_sep("!", f"{skipped} BROWSER TESTS WERE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"{MISSING}. Accessibility and the journeys were not checked.", yellow=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed after the last of them.

    Playwright's sync API keeps its event loop running in this thread while the browser is open,
    and Django refuses database calls when it sees a running loop. The tests' own database calls
    (making data, reading what the pages did) are ordinary synchronous code, so Django is told to
    allow them for as long as the browser is open, and no longer."""
    if not CHROMIUM.exists():
        pytest.fail(f"{MISSING}; CI=true requires the browser tests to run.")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ---------------------------------------------------------------------------
# The database: given back as the migrations left it after each test


@pytest.fixture(scope="session")
def migrated_data(request: pytest.FixtureRequest, django_db_setup, django_db_blocker) -> str:
    """What the migrations loaded, serialized as Django does for `serialized_rollback`. Taken before
    the first browser test runs; the tests before it roll back, so the database holds just that."""
    with django_db_blocker.unblock():
        data = getattr(connection, "_test_serialized_contents", None) or connection.creation.serialize_db_to_string()
    test_database = connection.settings_dict["NAME"]

    def restore() -> None:
        # After the last test the test database may be gone and the connection set back to the
        # real one: that is never touched.
        if connection.settings_dict["NAME"] != test_database:
            return
        # Emptied first without post_migrate's content types and permissions, so every row is
        # inserted with its own key. Not serialized_rollback: that reloads the rows over the ones
        # still there when the first browser test starts, and saving a history row again is refused
        # on SQLite (eo_portal/append_only.py).
        with django_db_blocker.unblock():
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(data)

    request.config.stash[RESTORE] = restore
    return data


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After the test's fixtures are gone, the live server's flush included. Giving back data that
    is still there changes nothing, so a test that failed early is no exception."""
    try:
        return (yield)
    finally:
        restore = item.config.stash.get(RESTORE, None)
        if restore is not None and _is_browser_test(item):
            restore()


# ---------------------------------------------------------------------------
# A browser window per person


@pytest.fixture
def portal(
    request: pytest.FixtureRequest, browser: Browser, live_server, migrated_data, settings, tmp_path
) -> Iterator[Portal]:
    """`portal.sign_in(user)` and `portal.anonymous(name)`: people at their own browser windows.
    Screenshots go to test-artifacts/browser/<test name>/; uploads to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    opened = Portal(browser, live_server.url, Screenshots(ARTIFACTS / slug(request.node.name)))
    yield opened
    opened.close()


# ---------------------------------------------------------------------------
# Organisations and people, made through the services (tests/factories.py)


def staff_of(slug: str, username: str, name: str) -> User:
    first_name, last_name = name.split()
    return person_in(
        agency(slug), Role.MEMBER, username=username, first_name=first_name, last_name=last_name, is_staff=True
    )


@pytest.fixture
def lab_a(transactional_db) -> Organisation:
    return OrganisationFactory(slug="lab-a", name="Frontier Lab A", short_name="Lab A", kind=OrganisationKind.LAB)


@pytest.fixture
def partner_a(transactional_db) -> Organisation:
    return OrganisationFactory(
        slug="partner-a", name="Trusted Partner A", short_name="Partner A", kind=OrganisationKind.PARTNER
    )


@pytest.fixture
def harbor_county(transactional_db) -> Organisation:
    return OrganisationFactory(
        slug="harbor-county", name="Harbor County", short_name="Harbor County", kind=OrganisationKind.LOCAL
    )


@pytest.fixture
def grid_energy(transactional_db) -> Organisation:
    return OrganisationFactory(
        slug="grid-energy",
        name="Grid Energy Cooperative",
        short_name="Grid Energy",
        kind=OrganisationKind.OPERATOR,
        sectors=[Sector.ENERGY],
    )


@pytest.fixture
def lab_a_manager(lab_a) -> User:
    return person_in(lab_a, Role.MANAGER, username="lab-a-manager", first_name="Ada", last_name="Lab")


@pytest.fixture
def partner_manager(partner_a) -> User:
    return person_in(partner_a, Role.MANAGER, username="partner-a-manager", first_name="Pat", last_name="Partner")


@pytest.fixture
def cisa_reviewer(transactional_db) -> User:
    return staff_of("cisa", "cisa-reviewer", "Cass Reviewer")


@pytest.fixture
def treasury_analyst(transactional_db) -> User:
    """A clearinghouse coordinator (the role of Treasury's members: clearinghouse migration 0002)."""
    return staff_of("treasury", "treasury-analyst", "Tess Analyst")


@pytest.fixture
def nsa_analyst(transactional_db) -> User:
    """The second coordinator, who publishes what another sent for review."""
    return staff_of("nsa", "nsa-analyst", "Nate Analyst")


@pytest.fixture
def omb_grants(transactional_db) -> User:
    """OMB's grant staff: administer every opportunity."""
    return staff_of("omb", "omb-grants", "Olive Grants")


@pytest.fixture
def nist_reviewer(transactional_db) -> User:
    """Federal staff of an agency that neither awards nor applies: a possible grant reviewer."""
    return staff_of("nist", "nist-reviewer", "Nia Reviewer")


@pytest.fixture
def opm_hiring(transactional_db) -> User:
    """A hiring member of OPM, which posts Tech Force openings."""
    return staff_of("opm", "opm-hiring", "Hal Hiring")


@pytest.fixture
def county_applicant(harbor_county) -> User:
    return person_in(harbor_county, Role.MANAGER, username="county-applicant", first_name="Cory", last_name="County")


@pytest.fixture
def operator(grid_energy) -> User:
    return person_in(grid_energy, Role.MANAGER, username="operator-energy", first_name="Opal", last_name="Operator")
