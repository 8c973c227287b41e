"""Every window and due date of the portal (rule 5 of DESIGN.md).

The order counts calendar days, not business days: a 30-day window that crosses a month end,
a leap day or a federal holiday is still 30 days. Dates are the US Eastern calendar day; times
are stored in UTC and shown in US Eastern.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

EASTERN = ZoneInfo("America/New_York")


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def today() -> date:
    """Today's date on the US Eastern calendar, which is the calendar the order's deadlines use."""
    return timezone.now().astimezone(EASTERN).date()


def local_date(moment: datetime) -> date:
    """The US Eastern calendar day of a stored (UTC) moment."""
    return moment.astimezone(EASTERN).date()


def days_until(day: date, *, on: date | None = None) -> int:
    """Calendar days from `on` (default: today, US Eastern) to `day`; negative once it has passed."""
    return (day - (on or today())).days


def end_of_day(day: date) -> datetime:
    """The last moment of a US Eastern calendar day, as an aware datetime (stored in UTC)."""
    return datetime.combine(day, time.max, tzinfo=EASTERN)
