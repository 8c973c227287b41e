"""The order's mandates in the browser: an agency reports one delivered with the keyboard alone
(Tab, Enter, Space, typing; no mouse), from signing in to saving; the public transparency page
then shows it."""

from django.contrib.auth.models import User

from eo_portal.models import Mandate, MandateStatus
from tests.browser.support import Person
from tests.factories import PASSWORD, confirmed_totp_device, totp_code

MANDATE = "Cyber guidance and binding operational directives"


def type_into(person: Person, label: str, text: str) -> None:
    person.tab_to(person.field(label))
    person.page.keyboard.type(text)


def sign_in_by_keyboard(person: Person, user: User) -> None:
    device = confirmed_totp_device(user)
    person.visit("/")
    person.tab_to(person.page.get_by_role("link", name="Sign in", exact=True).first)
    person.press_key("Enter", "sign-in page")
    type_into(person, "Username", user.get_username())
    type_into(person, "Password", PASSWORD)
    person.press_key("Enter")
    type_into(person, "Code from your authenticator app", totp_code(device))
    person.press_key("Enter", "dashboard")


def test_an_agency_reports_a_mandate_delivered_with_the_keyboard_alone_and_the_public_sees_it(portal, cisa_reviewer):
    agency = portal.anonymous(cisa_reviewer.get_username())
    sign_in_by_keyboard(agency, cisa_reviewer)

    # The skip link first, as keyboard users do, then on to the mandate in the open work.
    agency.page.keyboard.press("Tab")
    assert agency.page.evaluate("document.activeElement.textContent") == "Skip to main content"
    agency.page.keyboard.press("Enter")
    agency.tab_to(agency.page.get_by_role("main").get_by_role("link", name=MANDATE))
    agency.press_key("Enter", "mandate")
    agency.tab_to(agency.page.get_by_role("link", name="Report progress"))
    agency.press_key("Enter", "progress form")

    agency.tab_to(agency.field("Status"))
    agency.page.keyboard.type("Delivered")
    assert agency.field("Status").input_value() == MandateStatus.DELIVERED
    type_into(agency, "Evidence: portal page", "/clearinghouse/directives/")
    type_into(agency, "Evidence: what it is", "Directives and cyber guidance")
    type_into(agency, "Notes", "BOD 27-01 issued with its required actions.")
    agency.tab_to(agency.page.get_by_role("button", name="Save", exact=True))
    agency.press_key("Space", "mandate delivered")
    agency.sees("The mandate was updated.")
    assert Mandate.objects.get(section=MANDATE).status == MandateStatus.DELIVERED

    public = portal.anonymous("visitor")
    public.visit("/", "home")
    public.follow_link("Transparency", "transparency")
    row = public.page.get_by_role("row").filter(has=public.page.get_by_role("rowheader", name=MANDATE))
    assert row.get_by_role("cell").last.text_content().strip() == "Delivered"
