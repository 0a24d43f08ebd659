"""Compare's shareable owner ids (publish.paths.readable_slugs): readable, unique."""

from __future__ import annotations

from builder.core.text import page_name
from builder.publish.paths import readable_slugs


def test_a_slug_alone_where_no_other_owner_shares_it() -> None:
    ids = readable_slugs(["actalis", "digicert, inc.", "Été CA"], "ca-owner")
    assert ids == {"actalis": "actalis", "digicert, inc.": "digicert-inc", "Été CA": "ete-ca"}


def test_the_hash_only_where_two_owners_share_a_slug_or_there_is_none() -> None:
    ids = readable_slugs(["acme ca", "acme-ca", "beta", "日本"], "ca-owner")
    assert ids["beta"] == "beta"
    assert ids["acme ca"] == page_name("acme ca", "ca-owner") != ids["acme-ca"]
    assert ids["acme-ca"] == page_name("acme-ca", "ca-owner")
    assert ids["日本"] == page_name("日本", "ca-owner")  # no readable part at all
    assert len(set(ids.values())) == len(ids)


def test_a_slug_that_equals_another_owners_hashed_id_is_hashed_too() -> None:
    hashed = page_name("x y", "ca-owner")  # "x-y-<hash>", as "x y" shares "x-y"
    ids = readable_slugs(["x y", "x-y", hashed], "ca-owner")
    assert ids["x y"] == hashed and ids[hashed] == page_name(hashed, "ca-owner")
    assert len(set(ids.values())) == 3
