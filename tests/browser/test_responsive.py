"""The main pages on a phone (375 px wide) and a desktop (1280 px): each shows the USWDS banner and
header, passes the accessibility checks and is no wider than the screen, so nobody has to scroll
sideways (WCAG 1.4.10, reflow)."""

import pytest

from tests.browser import data
from tests.browser.support import Person

PUBLIC_PAGES = {
    "home": "/",
    "advisories": "/clearinghouse/advisories/",
    "opportunity search": "/grants/",
    "openings search": "/workforce/",
    "transparency": "/transparency/",
}
SIGNED_IN_PAGES = {"dashboard": "/", "review cases": "/reviews/"}


@pytest.fixture
def content(lab_a, lab_a_manager, treasury_analyst, nsa_analyst, omb_grants, opm_hiring) -> None:
    """A row in each list, so the tables are laid out as people see them."""
    data.submitted_case(lab_a_manager, lab_a, "Borealis")
    data.public_advisory(treasury_analyst, nsa_analyst, "Turn off automatic tool calls in chat assistants")
    data.posted_opportunity(
        omb_grants,
        "OMB-AICS-2027-001",
        "AI-enabled security operations for state and local governments",
        "Funds for AI-assisted detection and response in state and county governments.",
        ["county", "state"],
    )
    data.open_opening(opm_hiring, "AI Security Engineer")


def visit_each_and_assert_it_fits(person: Person, pages: dict[str, str], width: int) -> None:
    for page, path in pages.items():
        person.visit(path, f"{page} at {width} px")
        wide = person.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{page} is {wide} px wide on a {width} px screen: people must scroll sideways"
        for component in ("section.usa-banner", "header.usa-header"):
            assert person.page.locator(component).is_visible(), f"{page} lacks the USWDS {component} at {width} px"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_main_pages_fit_the_screen_with_the_banner_and_header(portal, content, lab_a_manager, width):
    viewport = {"width": width, "height": 800}
    visit_each_and_assert_it_fits(portal.anonymous("visitor", viewport), PUBLIC_PAGES, width)
    visit_each_and_assert_it_fits(portal.sign_in(lab_a_manager, viewport), SIGNED_IN_PAGES, width)
