"""The open-data downloads: tables, CSV/JSON/SQLite files, the Data Package, their page.

Entry point: `builder.publish.opendata.produce.write_downloads` (the files, written into
the work folder as they are made) and
`builder.publish.opendata.page.render_downloads_page` (the page that lists them).
May import: builder.core, builder.store and builder.publish.
"""
