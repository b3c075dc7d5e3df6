"""Today and now as the Ministry sees them: Malaysia time (UTC+8, no daylight saving), whatever
the server's own time zone. A server on UTC would otherwise start the day eight hours late."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

from .errors import InvalidDate

MYT = timezone(timedelta(hours=8), "MYT")


def now() -> datetime:
    """Malaysia time, naive, to the second: what the events trail and the logs show."""
    return datetime.now(MYT).replace(tzinfo=None, microsecond=0)


def today() -> date:
    """Today in Malaysia, or IKA_TODAY (YYYY-MM-DD) so reports can be run 'as of' a day."""
    fixed = os.environ.get("IKA_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed.strip())
        except ValueError:
            raise InvalidDate(f"IKA_TODAY {fixed!r} is not a date (use YYYY-MM-DD)") from None
    return now().date()
