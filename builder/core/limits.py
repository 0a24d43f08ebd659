"""Time limits of network work, kept apart so the command line can show them as defaults
without importing the HTTP stack."""

REQUEST_DEADLINE = 180.0
"""Seconds one HTTP request may take in all: attempts, waits between them, the body."""
FETCH_BUDGET = 900.0
"""Seconds a whole `builder fetch` run may take; sources not reached by then fail."""
