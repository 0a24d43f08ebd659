"""Bring CCADB exports in: fetch or read the bytes, parse a format, validate, merge, save.

Entry point: `builder.ingest.importer.import_source` (and `builder.ingest.fetch.fetch_all`,
`builder.ingest.discover.discover` and `builder.ingest.check.check_data` for the
commands that call them).
May import: builder.core and builder.store.
"""
