"""What the core asks of the programs without importing them (DESIGN.md, "Which way imports run").

Each program app fills this registry in its `AppConfig.ready()`:
- `register_visibility("reviews.ReviewCase", visible_to)` so a link from another program can
  ask whether the user may see the linked object;
- `register_open_work("reviews", open_work)` so the dashboard can list the user's open work;
- `register_public_aggregates("reviews", aggregates)` for the transparency page;
- `register_demo_content("reviews", seed)` so `manage.py seed_demo` adds the program's demo
  content (a function taking the acting user; it must be safe to run again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@dataclass(frozen=True)
class WorkItem:
    """One line of a user's open work on the dashboard."""

    program: str
    title: str
    url: str
    status: str = ""
    due: date | datetime | None = None


Visibility = Callable[["User | AnonymousUser | None"], QuerySet]
OpenWork = Callable[["User"], Iterable[WorkItem]]
Aggregates = Callable[[], dict[str, Any]]
DemoContent = Callable[["User"], int]

_visibility: dict[str, Visibility] = {}
_open_work: dict[str, OpenWork] = {}
_aggregates: dict[str, Aggregates] = {}
_demo_content: dict[str, DemoContent] = {}


def register_visibility(model_label: str, visible_to: Visibility) -> None:
    _visibility[model_label.lower()] = visible_to


def register_open_work(program: str, open_work: OpenWork) -> None:
    _open_work[program] = open_work


def register_public_aggregates(program: str, aggregates: Aggregates) -> None:
    _aggregates[program] = aggregates


def register_demo_content(program: str, seed: DemoContent) -> None:
    _demo_content[program] = seed


def visible_to(model_label: str, user: User | AnonymousUser | None) -> QuerySet:
    """The objects of a registered model this user may see; an unregistered model is a bug."""
    try:
        selector = _visibility[model_label.lower()]
    except KeyError as exc:
        raise LookupError(f"{model_label} has no registered visible_to selector") from exc
    return selector(user)


def can_see(user: User | AnonymousUser | None, obj: Model | None) -> bool:
    if obj is None:
        return False
    return visible_to(obj._meta.label, user).filter(pk=obj.pk).exists()


def open_work_for(user: User) -> dict[str, list[WorkItem]]:
    return {program: list(fetch(user)) for program, fetch in sorted(_open_work.items())}


def public_aggregates() -> dict[str, dict[str, Any]]:
    return {program: fetch() for program, fetch in sorted(_aggregates.items())}


def seed_demo_content(by: User) -> int:
    """Each program's demo content, in a fixed order; returns how many rows were created."""
    return sum(seed(by) for _, seed in sorted(_demo_content.items()))
