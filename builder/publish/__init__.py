"""Turn the store into the site: page contexts, templates, feeds, open data, MkDocs, swap.

Entry point: `builder.publish.build.build_site`.
May import: builder.core and builder.store.
"""
