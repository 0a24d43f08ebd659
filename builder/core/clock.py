"""How a moment is written everywhere (store, locks, benchmark): UTC, to the second, `Z`.

One form, so that recorded times compare as text and sort in time order.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(when: datetime | None = None) -> str:
    """`when` (an aware datetime; now when None) as `YYYY-MM-DDTHH:MM:SSZ`."""
    moment = datetime.now(UTC) if when is None else when.astimezone(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
