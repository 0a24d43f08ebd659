"""The rules for values that an import checks and the store's reader checks again: a CCADB
CommunicationId and ISO 8601 dates (one home, so that what an import refuses, `builder
validate` and `builder build` refuse in data/ as well)."""

from __future__ import annotations

import re
from datetime import datetime

COMMUNICATION_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?", re.ASCII)
COMMUNICATION_ID_RULE = "a CCADB CommunicationId is 15 or 18 letters and digits"

_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII)
DATE_TIME_RULE = "expected an ISO 8601 date or date-time"

_YEAR_MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])", re.ASCII)
SENT_RULE = "expected an ISO 8601 date or date-time, or a year and month (2017-04)"


def is_communication_id(text: str) -> bool:
    """15 or 18 ASCII letters and digits, and nothing else."""
    return COMMUNICATION_ID.fullmatch(text) is not None


def is_date_time(text: str) -> bool:
    """An ISO 8601 date (2017-11-30) or date-time (2017-11-30T20:56:28Z, seconds,
    fraction and offset optional) that is on the calendar and the clock: 2017-02-30 and
    25:00 are not."""
    if _DATE_TIME.fullmatch(text) is None:
        return False
    try:
        datetime.fromisoformat(text)  # the form is checked above; this checks the ranges
    except ValueError:
        return False
    return True


def is_sent_date(text: str) -> bool:
    """When a survey was sent: is_date_time, or only its year and month (2017-04)."""
    return _YEAR_MONTH.fullmatch(text) is not None or is_date_time(text)
