"""The open-data downloads: tables, CSV/JSON/SQLite files, the Data Package, their page.

Entry point: `builder.publish.opendata.produce.write_downloads` (the files, written into
the work folder as they are made) and `builder.publish.pages.downloads` (the page that
lists them, rendered with every other page).
May import: builder.core, builder.store and builder.publish below it (paths, labels,
owners, write), never publish.pages, publish.render or publish.build, which import it.
"""
