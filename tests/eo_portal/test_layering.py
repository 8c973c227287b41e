"""Writes go through services and reads through selectors (rules 1 and 2 of DESIGN.md).

Pages, the API, the admin and tasks may not save, delete or update rows themselves, nor reach
a model's manager: Zulip bans `Stream.objects.get` in views, and so do we.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import eo_portal

CHECKED_MODULES = ["views.py", "api.py", "admin.py", "tasks.py"]
WRITE_METHODS = {"save", "delete", "update"}
MANAGERS = {"objects", "_default_manager"}


def layering_violations(source: str) -> list[str]:
    """Each `.save(`, `.delete(`, `.update(` call and each use of a model manager, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            found.append(f"line {node.lineno}: .{node.attr} (read through a selector instead)")
    return found


@pytest.mark.parametrize("module", CHECKED_MODULES)
def test_pages_api_admin_and_tasks_neither_write_nor_query_models_directly(module):
    source = (Path(eo_portal.__file__).parent / module).read_text()
    assert layering_violations(source) == []


@pytest.mark.parametrize(
    "forbidden",
    [
        "organisation.save()",
        "membership.delete()",
        "Notification.objects.filter(recipient=user).update(read_at=now)",
        "Organisation.objects.get(slug=slug)",
        "Organisation.objects.select_related('group').filter(pk=1)",
        "get_user_model()._default_manager.filter(username=name)",
    ],
)
def test_the_layering_check_catches_a_direct_write_or_query(forbidden):
    assert len(layering_violations(f"def view(request):\n    {forbidden}\n")) >= 1


@pytest.mark.parametrize(
    "allowed",
    [
        "selectors.get_organisation_for(request.user, slug)",
        "services.update_organisation(organisation, by=request.user, name=name)",
        "services.revoke_api_token(token, by=request.user)",
        "context |= {'tab': 'details'}",
    ],
)
def test_the_layering_check_lets_services_and_selectors_through(allowed):
    assert layering_violations(f"def view(request):\n    {allowed}\n") == []
