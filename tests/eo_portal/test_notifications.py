"""Notifications: one per recipient, seen only by that person, e-mailed to their address after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from eo_portal import services
from eo_portal.models import Notification
from tests.factories import UserFactory


@pytest.fixture
def notified(lab_a_member, lab_b_manager, lab_a_manager):
    """One notification each for the lab A member and the lab B manager: {user: notification}."""
    created = services.notify(
        [lab_a_member, lab_b_manager], by=lab_a_manager, subject="Findings issued", link="/organisations/"
    )
    return {notification.recipient: notification for notification in created}


def test_notify_creates_one_notification_per_recipient(notified, lab_a_member, lab_b_manager):
    assert Notification.objects.filter(subject="Findings issued").count() == 2
    assert set(notified) == {lab_a_member, lab_b_manager}
    assert Notification.objects.filter(recipient=lab_a_member).count() == 1


def test_notify_with_nobody_to_tell_creates_nothing(lab_a_manager):
    assert services.notify([], by=lab_a_manager, subject="Nobody") == []
    assert not Notification.objects.exists()


def test_each_person_sees_only_their_own_notifications_on_the_page(web, notified, lab_a_member, jobseeker):
    page = web(lab_a_member).get("/notifications/")
    assert [n.pk for n in page.context["page"]] == [notified[lab_a_member].pk]
    assert "Findings issued" not in web(jobseeker).get("/notifications/").content.decode()


def test_each_person_sees_only_their_own_notifications_in_the_api(api, notified, lab_a_member, jobseeker):
    rows = api(lab_a_member).get("/api/v1/notifications/").json()["results"]
    assert [row["id"] for row in rows] == [notified[lab_a_member].pk]
    assert api(jobseeker).get("/api/v1/notifications/").json()["results"] == []


def test_marking_another_persons_notification_read_is_404_on_the_page_and_in_the_api(
    web, api, notified, lab_a_member, lab_b_manager
):
    theirs = notified[lab_b_manager]
    assert web(lab_a_member).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert api(lab_a_member).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_ones_own_notification_read_on_the_page_opens_its_link(web, notified, lab_a_member):
    mine = notified[lab_a_member]
    response = web(lab_a_member).post(f"/notifications/{mine.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/organisations/")
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert mine.history.first().history_user == lab_a_member


def test_marking_ones_own_notification_read_in_the_api(api, notified, lab_a_member):
    response = api(lab_a_member).post(f"/api/v1/notifications/{notified[lab_a_member].pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None


def test_mark_all_read_touches_only_ones_own(web, notified, lab_a_member, lab_b_manager):
    web(lab_a_member).post("/notifications/read-all/")
    assert Notification.objects.get(recipient=lab_a_member).read_at is not None
    assert Notification.objects.get(recipient=lab_b_manager).read_at is None


def test_each_notification_is_e_mailed_to_its_recipients_address_after_commit(
    django_capture_on_commit_callbacks, lab_a_member, lab_b_manager, lab_a_manager
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify([lab_a_member, lab_b_manager], by=lab_a_manager, subject="Window ends in 7 days",
                        link="/organisations/lab-a/")
        assert mail.outbox == []  # nothing is sent before the transaction commits
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted([lab_a_member.email, lab_b_manager.email])
    assert all(message.subject == "Window ends in 7 days" for message in mail.outbox)
    assert all(message.body.endswith("/organisations/lab-a/") for message in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_recipient_without_an_e_mail_address_is_not_e_mailed(django_capture_on_commit_callbacks, lab_a_manager):
    no_address = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = services.notify([no_address], by=lab_a_manager, subject="Hello")
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None


@pytest.mark.parametrize("path", ["/api/v1/notifications/not-a-number/read/", "/api/v1/notifications/999999/read/"])
def test_reading_a_notification_that_does_not_exist_is_404_in_the_api(api, lab_a_member, path):
    client = api(lab_a_member)
    client.raise_request_exception = False  # answer as the server would, instead of raising
    assert client.post(path).status_code == 404
