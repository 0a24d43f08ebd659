"""The open-data downloads: tables, CSV/JSON/SQLite files, the Data Package, their page.

Entry point: `builder.publish.opendata.files.render_downloads` (the files) and
`builder.publish.pages.downloads` (the page that lists them, rendered with every other page).
May import: builder.core, builder.store and builder.publish below it (paths, labels,
owners), never publish.pages, publish.render or publish.build, which import it.
"""
