"""Errors every program raises from its services, mapped once to pages and API answers."""

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """The object is not in a state that allows the action (HTTP 409); the message says why."""


def row_error(field: str, row_label: str, exc: ValidationError) -> ValidationError:
    """A problem in one row of a repeated group (a product, a budget line, a contact), reported on
    the group's field with the row named, so the person sees which row to fix."""
    problems = " ".join(
        f"{name.replace('_', ' ').capitalize()}: {messages[0]}" for name, messages in exc.message_dict.items()
    )
    return ValidationError({field: f"{row_label}: {problems}"})
