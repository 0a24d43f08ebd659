"""The site's page kinds: one module each, with a typed context per template.

Each module has a frozen dataclass per template (its fields are the template's
variables) and a pure `build_X(site, ...) -> Page`, from the SiteIndex (site.py: what
pages share, computed once per build, with the build's one cache, memo.py) to the page's
path, title and context. template.py renders every page the same way; plan.py lists
every generated file with the function that makes it; showing.py says which files show
an answer. The entry point is builder.publish.render.render_pages.
"""
