"""Drafts that several people edit carry a version number, so an edit made from an older copy is
refused (HTTP 409) instead of silently undoing what someone saved in between.

Each edit service locks the row, compares the version the editor started from with the stored
one, and counts one up. The pages always send the version they showed; API clients send the
`edit_version` they last read (without it, the last write wins, as with HTTP's optional If-Match).
"""

from __future__ import annotations

from django import forms
from django.db import models

from eo_portal.errors import Conflict

FIELD = "edit_version"


class StaleEdit(Conflict):
    """Someone saved the draft after this editor read it."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else saved this draft after you opened it, so your changes were not saved. "
            "Open the draft again to see theirs, then make yours."
        )


class EditVersioned(models.Model):
    edit_version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Counts the edits; an edit made from an older version is refused."
    )

    class Meta:
        abstract = True


def advance(locked: EditVersioned, expected: int | None) -> None:
    """Refuse a stale edit, then count this one. `locked` must be held by select_for_update."""
    if expected is not None and expected != locked.edit_version:
        raise StaleEdit
    locked.edit_version += 1


def add_form_field(form: forms.BaseForm, draft: EditVersioned) -> None:
    """A hidden field carrying the version the page showed, sent back with the edit."""
    form.fields[FIELD] = forms.IntegerField(
        widget=forms.HiddenInput, initial=draft.edit_version, min_value=1, required=False
    )
