"""The words for dates and captures: each said here once, for pages, feeds and downloads.

Three dates are kept apart: when a CA gave an answer (rarely known), when the copy it
was read from was captured (`captured_at`, None when unknown) and when it was imported
into this record (`observed_at`). Only a known capture date is ever called "captured";
an import date never stands in for it. Pure functions returning plain text: callers
encode it like any other value.
"""

from __future__ import annotations

FIRST_CAPTURED = "first captured in this record"
"""What an 'added' change is: not an answering date, only the first copy seen here."""

IMPORTED_AT = ("UTC time (ISO 8601) this was imported into this record: neither when the "
               "CA answered nor when the copy was captured.")
CAPTURED_AT = ("When the copy this was read from was captured (ISO date or UTC time); "
               "empty when unknown (an archived copy of unknown date).")
LIVE = "True when this tool captured the copy live from the CCADB at captured_at."


def day(time: str) -> str:
    """The date part of an ISO date or UTC time."""
    return time[:10]


def capture(captured_at: str | None, observed_at: str) -> str:
    """'captured DATE', or 'capture date unknown (imported DATE)' (source cells, versions)."""
    if captured_at:
        return f"captured {day(captured_at)}"
    return f"capture date unknown (imported {day(observed_at)})"


def entry_date(captured_at: str | None, observed_at: str) -> str:
    """The date of a Changes entry: the capture date when known, else the import date, said so."""
    if captured_at:
        return f"captured {day(captured_at)}"
    return f"imported {day(observed_at)}, capture date unknown"


def span(dates: list[tuple[str | None, str]]) -> str:
    """The dates of versions, from (captured_at, observed_at): 'captured A → B' when every
    capture date is known, 'imported A → B' when none is, else each said apart."""
    if all(captured for captured, _ in dates):
        return "captured " + " → ".join(day(captured or "") for captured, _ in dates)
    if not any(captured for captured, _ in dates):
        return "imported " + " → ".join(day(observed) for _, observed in dates)
    return " → ".join(capture(captured, observed) if captured else f"imported {day(observed)}"
                      for captured, observed in dates)


def late(captured_at: str, deadline: str) -> str:
    """The late mark; only for a live capture after the deadline (timeline.is_late)."""
    return f"late: first captured live {day(captured_at)}, after the deadline {day(deadline)}"


def partial_capture(owners: int) -> str:
    """Said next to every figure of a partial capture; `owners` = the CA owners captured."""
    if owners == 1:
        return ("partial capture: only the first CA owner of the CCADB's report was captured; "
                "counts cover only that one")
    return (f"partial capture: only the first {owners} CA owners of the CCADB's report were "
            "captured; counts cover only those")
