"""What every journey does at a browser: sign in as a person would, check each page a person
reaches (axe-core's WCAG 2.x A and AA rules, no JavaScript or console error) and keep a
full-page screenshot of the steps that matter.

    lab = portal.sign_in(lab_a_manager)             a person at their own browser window, signed in
    lab.follow_link("File a new case", "case form")  click, wait for the page, check it, screenshot
    lab.fill({"Model name": "Atlas"})               fields found by their labels
    lab.check("draft")                              the page as it is now: fails saying what is wrong
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Locator, Page

from eo_portal import mfa
from tests.factories import PASSWORD, confirmed_totp_device, totp_code

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what Section 508 requires of federal web pages.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 800}
NOT_FOUND = "the server responded with a status of 404"
# The portal types uploads by their first bytes (eo_portal/uploads.py): this is a PDF to it.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    url: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise AssertionError(f"{AXE_SOURCE} is missing: run `make setup` (npm ci installs axe-core).")
    return AXE_SOURCE.read_text()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG violations on the page as it is now. The portal's Content-Security-Policy
    refuses injected <script> tags, so the source is evaluated through the DevTools protocol."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def describe_violations(violations: list[dict], where: str) -> str:
    lines = [f"{len(violations)} accessibility rule(s) broken on {where}:"]
    for rule in violations:
        lines.append(f"- {rule['id']} ({rule['impact']}): {rule['help']} <{rule['url']}>")
        for node in rule["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    at {node['target']}: {summary}")
    return "\n".join(lines)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Screenshots:
    """The numbered full-page screenshots of one test, in the order its steps happen."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.taken = 0

    def take(self, page: Page, who: str, step: str) -> Path:
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{slug(who)}-{slug(step)}.png"
        page.screenshot(path=path, full_page=True)
        return path


@dataclass
class Person:
    """Someone at their own browser window, with their own cookies. Every page they load must be
    checked (`check`) before the test ends; a console error or an uncaught exception fails the
    next check."""

    name: str
    page: Page
    base_url: str
    screenshots: Screenshots
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    expected_missing: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("load", lambda page: self.unchecked.append(page.url))

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception on {self.page.url}: {error.name}: {error.message}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if NOT_FOUND in message.text and source in self.expected_missing:
            return
        self.problems.append(f"console error on {self.page.url}: {message.text} ({source})")

    def url(self, path: str) -> str:
        return self.base_url + path

    def visit(self, path: str, step: str | None = None) -> None:
        """Type the address; `step` names the screenshot taken once the page passes its checks."""
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"{self.name}: {path} answered {response and response.status}"
        self.check(step)

    def visit_missing(self, path: str, step: str | None = None) -> None:
        """An address this person must not reach: the portal answers 404, as for one that does not
        exist. The browser's note of that 404 is expected, not a page error."""
        self.expected_missing.add(self.url(path))
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == 404, f"{self.name} reached {path}"
        self.check(step)

    def check(self, step: str | None = None) -> None:
        """The page as it is now: no WCAG A/AA violation, no error logged; then its screenshot."""
        self.page.wait_for_load_state()
        where = f"{self.page.url} ({self.name}{': ' + step if step else ''})"
        violations = axe_violations(self.page)
        assert not violations, describe_violations(violations, where)
        self.assert_no_problems()
        self.unchecked.clear()
        if step:
            self.screenshots.take(self.page, self.name, step)

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"{self.name}'s browser reported:\n" + "\n".join(problems)

    def assert_all_checked(self) -> None:
        self.assert_no_problems()
        assert not self.unchecked, f"{self.name} reached pages no check looked at: {self.unchecked}"

    # ---------------------------------------------------------------------------
    # Steps a person takes; each waits for the page it leads to and checks it.

    def click(self, target: Locator, step: str | None = None) -> None:
        with self.page.expect_navigation():
            target.click()
        self.check(step)

    def press_button(self, name: str, step: str | None = None) -> None:
        self.click(self.page.get_by_role("button", name=name, exact=True), step)

    def follow_link(self, name: str, step: str | None = None) -> None:
        self.click(self.page.get_by_role("link", name=name, exact=True).first, step)

    def open_tab(self, name: str, step: str | None = None) -> None:
        """One of the tabs of an object's page (a case's summary, partners, findings ...)."""
        tabs = self.page.get_by_role("navigation", name=re.compile("^Sections of"))
        self.click(tabs.get_by_role("link", name=name, exact=True), step)

    def tab_to(self, target: Locator, limit: int = 100) -> None:
        """Press Tab until `target` has the focus, as someone using the keyboard alone moves on."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"{self.name} pressed Tab {limit} times on {self.page.url} and never reached {target}")

    def press_key(self, key: str, step: str | None = None) -> None:
        """Press a key (Enter on a link, Space on a button) that leads to another page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.check(step)

    def field(self, label: str, within: str | None = None) -> Locator:
        """The form field whose label is `label`, as a screen reader finds it, inside the fieldset
        whose legend is `within` if given; a required field's label ends in an asterisk."""
        scope = self.page.get_by_role("group", name=within, exact=True) if within else self.page
        labelled = scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))
        return labelled.and_(scope.locator("input, select, textarea"))

    def fill(self, fields: dict[str, str], within: str | None = None) -> None:
        for label, value in fields.items():
            self.field(label, within).fill(value)

    def choose(self, choices: dict[str, str | list[str]], within: str | None = None) -> None:
        """Pick options of select lists (several, for a multiple select) by their labels."""
        for label, option in choices.items():
            options = [option] if isinstance(option, str) else option
            self.field(label, within).select_option(label=options)

    def tick(self, label: str, within: str | None = None) -> None:
        """Tick a USWDS checkbox or radio button: the input itself is hidden off screen and people
        click its label."""
        box = self.field(label, within)
        self.page.locator(f"label[for='{box.get_attribute('id')}']").click()
        assert box.is_checked(), f"{label!r} did not get ticked"

    def upload(self, label: str, name: str, content: bytes, mime_type: str = "application/pdf") -> None:
        """Choose a file for the file input labelled `label`, as the file picker would."""
        self.field(label).set_input_files({"name": name, "mimeType": mime_type, "buffer": content})

    def sees(self, text: str) -> Locator:
        """The visible element holding `text`; fails when there is none."""
        found = self.page.get_by_text(text).first
        found.wait_for(state="visible")
        return found

    def sees_no(self, text: str) -> None:
        assert self.page.get_by_text(text).count() == 0, f"{self.name} sees {text!r} on {self.page.url}"

    def error_at(self, field: Locator) -> str:
        """The error message announced with an invalid field: USWDS's error pattern, the message
        joined to the field by aria-describedby, as a screen reader reads it out."""
        assert field.get_attribute("aria-invalid") == "true", "the field is not marked invalid"
        described_by = (field.get_attribute("aria-describedby") or "").split()
        messages = [self.page.locator(f"[id='{id_}'].usa-error-message") for id_ in described_by]
        shown = [message.inner_text() for message in messages if message.count() and message.is_visible()]
        assert shown, f"no error message is joined to the field (aria-describedby={described_by})"
        group = self.page.locator(".usa-form-group--error").filter(has=field)
        assert group.count(), "the field is not inside a USWDS form group in error"
        return " ".join(shown)

    def reference(self) -> str:
        """The reference that starts the page's heading, as in "MRC-2026-0001: Atlas 4.1"."""
        return self.page.get_by_role("heading", level=1).inner_text().split(":")[0]

    def fact(self, term: str) -> str:
        """The value the page gives for `term` in a description list (<dt>term</dt><dd>value</dd>)."""
        term_element = self.page.locator("dt").filter(has_text=re.compile(rf"^{re.escape(term)}$"))
        return term_element.locator("xpath=following-sibling::dd[1]").inner_text()

    def sign_in(self, user: User, password: str = PASSWORD) -> None:
        """The sign-in page, then the code from the person's authenticator app when they must use one
        (made for them here: tests/factories.py)."""
        device = confirmed_totp_device(user) if mfa.must_verify(user) else None
        self.visit("/")
        self.follow_link("Sign in", "sign-in page")
        self.fill({"Username": user.get_username(), "Password": password})
        self.press_button("Sign in")
        if device is not None:
            assert "/accounts/mfa/verify/" in self.page.url, f"{self.name} was not asked for a code"
            self.fill({"Code from your authenticator app": totp_code(device)})
            self.press_button("Continue")
        assert "/accounts/" not in self.page.url, f"{self.name} is still signing in: {self.page.url}"


class Portal:
    """Opens browser windows onto the live server, one per person, and closes them at the end."""

    def __init__(self, browser: Browser, base_url: str, screenshots: Screenshots) -> None:
        self.browser = browser
        self.base_url = base_url
        self.screenshots = screenshots
        self.contexts: list[BrowserContext] = []
        self.people: list[Person] = []

    def anonymous(self, name: str, viewport: dict[str, int] = DESKTOP) -> Person:
        context = self.browser.new_context(viewport=viewport)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        person = Person(name=name, page=context.new_page(), base_url=self.base_url, screenshots=self.screenshots)
        self.people.append(person)
        return person

    def sign_in(self, user: User, viewport: dict[str, int] = DESKTOP) -> Person:
        """A new browser window in which `user` signs in through the sign-in page."""
        person = self.anonymous(user.get_username(), viewport)
        person.sign_in(user)
        return person

    def close(self) -> None:
        try:
            for person in self.people:
                person.assert_all_checked()
        finally:
            for context in self.contexts:
                context.close()
