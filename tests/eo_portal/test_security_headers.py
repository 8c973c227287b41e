"""Headers and settings (ASVS 14; SC-8, SC-18): a strict Content-Security-Policy with no inline
script or style and no third-party origin, framing refused, a referrer and permissions policy,
`check --deploy` clean with the production settings, and DEBUG refused on a public host."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/transparency/", "/clearinghouse/", "/grants/", "/workforce/", "/accounts/login/", "/api/docs/"]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_strict_headers(web, path):
    response = web().get(path)

    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "http" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_has_inline_script_or_style():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_deploy_check_is_clean_with_the_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(50),
                    ALLOWED_HOSTS="portal.example.gov")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_refused_with_a_public_host():
    result = manage("check", DEBUG="true", ALLOWED_HOSTS="portal.example.gov")

    assert result.returncode != 0
    assert "DEBUG cannot be on when ALLOWED_HOSTS names other hosts" in result.stderr


def test_debug_runs_on_the_local_hosts():
    assert manage("check", DEBUG="true").returncode == 0
