"""`manage.py audit_report --since 2026-11-01`: who changed what, across every program, as CSV."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, date, datetime, time

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from eo_portal.append_only import is_history_model
from eo_portal.audit_report import report_rows, sign_in_rows


class Command(BaseCommand):
    help = (
        "Print every recorded change since a date (UTC) as CSV: when, who, what, which fields, why; "
        "then every sign-in event (model 'sign-in')."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="First day to include, YYYY-MM-DD (UTC).")

    def handle(self, *args, since: str, **options) -> None:
        try:
            start = datetime.combine(date.fromisoformat(since), time.min, tzinfo=UTC)
        except ValueError as exc:
            raise CommandError(f"--since must be a date such as 2026-11-01, not {since!r}.") from exc
        models = [model for model in apps.get_models() if is_history_model(model) and hasattr(model, "history_date")]
        writer = csv.writer(self.stdout if self.stdout else sys.stdout)
        for row in report_rows(models, start):
            writer.writerow(row)
        for row in sign_in_rows(start):
            writer.writerow(row)
