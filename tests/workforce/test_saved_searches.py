"""Saved searches: posting an opening e-mails each job seeker whose saved search matches it, once,
and nobody else; an opening cannot be posted twice, so nobody is told twice."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from eo_portal.models import Notification
from tests.workforce.conftest import OPENINGS_URL
from workforce import services
from workforce.models import SavedSearch

ALERT = "New Tech Force opening: AI Security Engineer"


def alerts() -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(subject__startswith="New Tech Force").values_list("recipient__username", "subject")
    )


def test_posting_a_matching_opening_alerts_each_matching_job_seeker_once_and_nobody_else(
    api, make_opening, opm_staff, applicant, other_applicant, django_capture_on_commit_callbacks
):
    services.save_search(by=applicant, name="Remote computer science", query={"series": "1550", "remote": "true"})
    services.save_search(by=applicant, name="Anything remote", query={"remote": "true"})
    services.save_search(by=other_applicant, name="IT management", query={"series": "2210"})
    opening = make_opening("draft", title="AI Security Engineer", series="1550", remote=True)
    post_url = f"{OPENINGS_URL}{opening.control_number}/post/"

    with django_capture_on_commit_callbacks(execute=True):
        posted = api(opm_staff).post(post_url)

    assert posted.status_code == 200
    assert alerts() == [(applicant.username, ALERT)]
    assert [(message.to, message.subject) for message in mail.outbox] == [([applicant.email], ALERT)]
    assert f"/workforce/openings/{opening.control_number}/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        again = api(opm_staff).post(post_url)

    assert (again.status_code, again.json()) == (409, {"detail": "An opening that is open cannot be posted."})
    assert (alerts(), len(mail.outbox)) == ([(applicant.username, ALERT)], 1)


def test_posting_an_opening_no_saved_search_matches_alerts_nobody(
    make_opening, opm_staff, applicant, django_capture_on_commit_callbacks
):
    services.save_search(by=applicant, name="Top secret", query={"clearance": "top_secret"})
    opening = make_opening("draft", clearance="secret")

    with django_capture_on_commit_callbacks(execute=True):
        services.post_opening(opening, by=opm_staff)

    assert (alerts(), mail.outbox) == ([], [])


def test_a_saved_search_with_a_bad_filter_is_refused_naming_the_field(applicant):
    with pytest.raises(ValidationError) as refused:
        services.save_search(by=applicant, name="Senior", query={"grade": "20"})

    assert list(refused.value.message_dict) == ["grade"]
    assert not SavedSearch.objects.exists()
