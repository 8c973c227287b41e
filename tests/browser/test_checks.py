"""The checks every journey relies on fail when they must: a field without a label, an uncaught
script error and an error in the console each fail the page's check, with what and where."""

import pytest


def test_a_field_without_a_label_fails_the_accessibility_check(portal):
    visitor = portal.anonymous("visitor")
    visitor.visit("/")
    visitor.page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=nameless>')")

    with pytest.raises(AssertionError, match=r"(?s)- label \(critical\).*at #nameless"):
        visitor.check()
    visitor.visit("/")


@pytest.mark.parametrize(
    "script, reported",
    [
        ("setTimeout(() => { throw new Error('the page broke') })", "uncaught exception on .*: Error: the page broke"),
        ("console.error('something failed')", "console error on .*: something failed"),
    ],
    ids=["uncaught exception", "console error"],
)
def test_a_script_error_or_console_error_fails_the_check(portal, script, reported):
    visitor = portal.anonymous("visitor")
    visitor.visit("/")
    visitor.page.evaluate(script)
    visitor.page.wait_for_timeout(200)

    with pytest.raises(AssertionError, match=reported):
        visitor.check()
