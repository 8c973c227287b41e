"""The demo: seed_demo posts Tech Force openings (and leaves one draft) and is safe to run again."""

import io
from collections import Counter

from django.core.management import call_command

from workforce.models import Application, Opening

MODELS = (Opening, Application, Opening.history.model, Application.history.model)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_posts_openings_and_a_draft_and_running_it_again_changes_nothing(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = row_counts()

    assert Counter(Opening.objects.values_list("status", flat=True)) == {"open": 4, "draft": 1}
    assert Application.objects.count() == 2

    call_command("seed_demo", stdout=io.StringIO())

    assert row_counts() == first
