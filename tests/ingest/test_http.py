"""builder.ingest.http.get against a real HTTP server on 127.0.0.1 (no mocks): timeouts,
retries with backoff and Retry-After, no retry on 4xx, conditional GET, byte cap,
truncated bodies.

`LocalServer`, `Reply`, `Sleeps` and `guard_network` are also used by test_fetch.py.
"""

from __future__ import annotations

import email.utils
import gzip
import socket
import time

import pytest

from builder.core.errors import FetchError
from builder.ingest import http
from http_support import LOOPBACK, LocalServer, Reply, Sleeps

pytestmark = pytest.mark.usefixtures("network_guard")
FAST = {"backoff": 0.5, "timeout": (2.0, 2.0)}


def test_ok_answer_carries_body_validators_and_type(server: LocalServer) -> None:
    url = server.route("/a", Reply(200, b"<html>hi</html>", {
        "ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT",
        "Content-Type": "text/html; charset=utf-8"}))
    resp = http.get(url, **FAST)
    assert (resp.status, resp.body, resp.etag, resp.last_modified) == (
        200, b"<html>hi</html>", '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT")
    assert resp.content_type == "text/html; charset=utf-8"
    assert server.hits("/a")[0].headers["User-Agent"].startswith("ca-survey-record/")


def test_connect_timeout_applies() -> None:
    """A listening socket whose backlog is full never completes the handshake."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind((LOOPBACK, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        filler.connect((LOOPBACK, port))  # fills the backlog; nobody accepts
        sleeps = Sleeps()
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"no connection within the 0\.2 s connect "
                                             r"timeout \(gave up after 2 attempts\)"):
            http.get(f"http://{LOOPBACK}:{port}/", timeout=(0.2, 5.0), attempts=2,
                     sleep=sleeps)
        assert time.monotonic() - start < 3
        assert sleeps == [1.0]


def test_read_timeout_applies(server: LocalServer) -> None:
    url = server.route("/slow", Reply(200, b"late", delay=5))
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within the 0\.3 s read timeout "
                                         r"\(gave up after 2 attempts\)"):
        http.get(url, timeout=(2.0, 0.3), attempts=2, sleep=Sleeps())
    assert time.monotonic() - start < 3
    assert len(server.hits("/slow")) == 2


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_status_is_retried_with_backoff(server: LocalServer, status: int) -> None:
    url = server.route("/flaky", Reply(status), Reply(status), Reply(200, b"ok"))
    sleeps = Sleeps()
    assert http.get(url, backoff=0.5, sleep=sleeps).body == b"ok"
    assert sleeps == [0.5, 1.0]
    assert len(server.hits("/flaky")) == 3


def test_retry_after_seconds_is_honoured(server: LocalServer) -> None:
    url = server.route("/busy", Reply(503, headers={"Retry-After": "7"}), Reply(200, b"ok"))
    sleeps = Sleeps()
    assert http.get(url, backoff=0.5, sleep=sleeps).body == b"ok"
    assert sleeps == [7.0]


def test_retry_after_date_is_honoured_and_capped(server: LocalServer) -> None:
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    url = server.route("/busy", Reply(429, headers={"Retry-After": soon}),
                       Reply(429, headers={"Retry-After": "86400"}), Reply(200, b"ok"))
    sleeps = Sleeps()
    assert http.get(url, sleep=sleeps).body == b"ok"
    assert 25 <= sleeps[0] <= 31
    assert sleeps[1] == http.MAX_RETRY_WAIT


def test_retries_run_out(server: LocalServer) -> None:
    url = server.route("/down", Reply(503))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"/down: HTTP 503 Service Unavailable "
                                         r"\(gave up after 3 attempts\)"):
        http.get(url, attempts=3, backoff=0.25, sleep=sleeps)
    assert sleeps == [0.25, 0.5]
    assert len(server.hits("/down")) == 3


def test_real_backoff_stays_short(server: LocalServer) -> None:
    """With the real time.sleep, a small backoff really waits between attempts."""
    url = server.route("/flaky", Reply(502), Reply(200, b"ok"))
    start = time.monotonic()
    assert http.get(url, backoff=0.2).body == b"ok"
    assert 0.2 <= time.monotonic() - start < 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_is_never_retried(server: LocalServer, status: int) -> None:
    url = server.route("/gone", Reply(status))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=rf"/gone: HTTP {status} .*\(not retried\)"):
        http.get(url, sleep=sleeps)
    assert sleeps == [] and len(server.hits("/gone")) == 1


def test_conditional_get_sends_validators_and_reports_304(server: LocalServer) -> None:
    def page(headers: dict[str, str]) -> Reply:
        if headers.get("If-None-Match") == '"v1"':
            return Reply(304, length=None)
        return Reply(200, b"body", {"ETag": '"v1"'})

    url = server.route("/page", page)
    first = http.get(url, **FAST)
    second = http.get(url, etag=first.etag, last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
                      **FAST)
    assert (first.status, second.status, second.not_modified, second.body) == (
        200, 304, True, b"")
    sent = server.hits("/page")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_byte_cap_on_declared_length(server: LocalServer) -> None:
    url = server.route("/big", Reply(200, b"x" * 5000))
    with pytest.raises(FetchError, match=r"/big: response is 5,000 bytes, over the "
                                         r"1,000-byte cap"):
        http.get(url, max_bytes=1000, **FAST)


def test_byte_cap_on_undeclared_length(server: LocalServer) -> None:
    url = server.route("/big", Reply(200, b"x" * 200_000, length=None))
    with pytest.raises(FetchError, match=r"/big: response is over the 1,000-byte cap"):
        http.get(url, max_bytes=1000, **FAST)


def test_byte_cap_counts_decompressed_bytes(server: LocalServer) -> None:
    """A small gzip body that inflates past the cap is refused (a gzip bomb)."""
    url = server.route("/bomb", Reply(200, gzip.compress(b"x" * 500_000),
                                      {"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="over the 100,000-byte cap"):
        http.get(url, max_bytes=100_000, **FAST)


def test_gzip_body_is_decoded_and_not_taken_for_truncated(server: LocalServer) -> None:
    text = b"<html>" + b"answer " * 1000 + b"</html>"
    url = server.route("/gz", Reply(200, gzip.compress(text), {"Content-Encoding": "gzip"}))
    assert http.get(url, **FAST).body == text


def test_truncated_body_is_refused(server: LocalServer) -> None:
    """Content-Length says 1000, the connection closes after 500 bytes."""
    url = server.route("/cut", Reply(200, b"x" * 500, length=1000))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"/cut: body cut short .*\(gave up after 2 "
                                         r"attempts\)"):
        http.get(url, attempts=2, sleep=sleeps, **FAST)
    assert len(server.hits("/cut")) == 2


def test_redirect_to_the_new_host_is_followed(server: LocalServer) -> None:
    new = server.route("/new/report", Reply(200, b"moved here"))
    old = server.route("/old/report", Reply(301, headers={"Location": new}))
    resp = http.get(old, **FAST)
    assert (resp.url, resp.body) == (new, b"moved here")


def test_only_http_urls(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="only http and https URLs"):
        http.get("file:///etc/passwd")


# -- a total deadline for every request -----------------------------------------------------

def test_trickling_server_is_cut_off_at_the_deadline(server: LocalServer) -> None:
    """10 bytes every 0.05 s never trips the 2 s read timeout; the deadline stops it."""
    url = server.route("/drip", Reply(200, b"x" * 2000, trickle=0.05))
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"/drip: no complete answer; stopped by the 0\.6 s "
                                         r"deadline of the request \(after 1 attempt\(s\)\)"):
        http.get(url, timeout=(2.0, 2.0), deadline=0.6, sleep=Sleeps())
    assert 0.55 <= time.monotonic() - start < 1.5
    assert len(server.hits("/drip")) == 1


def test_trickle_without_length_is_not_taken_for_a_whole_body(server: LocalServer) -> None:
    """With no Content-Length the cut-off body would look complete: it is refused."""
    url = server.route("/drip", Reply(200, b"y" * 2000, trickle=0.05, length=None))
    with pytest.raises(FetchError, match="no complete answer; stopped by the 0.4 s deadline"):
        http.get(url, timeout=(2.0, 2.0), deadline=0.4, sleep=Sleeps())


def test_stalled_server_is_not_retried_past_the_deadline(server: LocalServer) -> None:
    """Four attempts of a 2 s read timeout would take 8 s; the deadline ends it at 0.5 s."""
    url = server.route("/stall", Reply(200, b"late", delay=5))
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"/stall: no complete answer; stopped by the 0\.5 s "
                                         r"deadline of the request \(after 1 attempt\(s\)\)"):
        http.get(url, timeout=(2.0, 2.0), deadline=0.5, sleep=Sleeps())
    assert time.monotonic() - start < 1.2


def test_a_retry_wait_past_the_deadline_is_not_taken(server: LocalServer) -> None:
    url = server.route("/busy", Reply(503, headers={"Retry-After": "30"}), Reply(200, b"ok"))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"/busy: HTTP 503 Service Unavailable; stopped by "
                                         r"the 5 s deadline of the request \(after 1 "):
        http.get(url, deadline=5, sleep=sleeps)
    assert sleeps == [] and len(server.hits("/busy")) == 1


def test_a_budget_sooner_than_the_deadline_names_itself(server: LocalServer) -> None:
    url = server.route("/stall", Reply(200, b"late", delay=5))
    budget = http.Deadline.after(0.3, "the 0.3 s budget of the fetch run")
    with pytest.raises(FetchError, match="stopped by the 0.3 s budget of the fetch run"):
        http.get(url, timeout=(2.0, 2.0), deadline=60, budget=budget, sleep=Sleeps())


# -- redirects only to known hosts --------------------------------------------------------

def test_redirect_to_another_host_is_refused(server: LocalServer) -> None:
    with LocalServer() as other:
        elsewhere = other.route("/report", Reply(200, b"someone else's data"))
        url = server.route("/report", Reply(302, headers={"Location": elsewhere}))
        with pytest.raises(FetchError) as caught:
            http.get(url, **FAST)
        assert other.seen == []
    port = server.httpd.server_address[1]
    assert str(caught.value.message) == (
        f"{url}: redirected to another host ({elsewhere}): not followed; redirects are "
        f"followed only to 127.0.0.1:{port}, ccadb-public.secure.force.com:443, "
        "ccadb.my.salesforce-sites.com:443")


def test_redirect_chain_is_followed_and_the_final_url_kept(server: LocalServer) -> None:
    final = server.route("/c", Reply(200, b"here"))
    server.route("/b", Reply(307, headers={"Location": "/c"}))  # relative Location
    first = server.route("/a", Reply(301, headers={"Location": server.url("/b")}))
    resp = http.get(first, **FAST)
    assert (resp.url, resp.body) == (final, b"here")


def test_redirect_to_a_ccadb_host_is_followed(server: LocalServer) -> None:
    """The client goes on to the CCADB's host (the network guard stops it there)."""
    target = "https://ccadb.my.salesforce-sites.com/mozillacommunications/x"
    url = server.route("/old", Reply(301, headers={"Location": target}))
    with pytest.raises(RuntimeError, match="tried to resolve 'ccadb.my.salesforce-sites.com'"):
        http.get(url, **FAST)


def test_redirect_to_another_scheme_or_in_a_loop_is_refused(server: LocalServer) -> None:
    url = server.route("/file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="redirected to 'file:///etc/passwd', not an http"):
        http.get(url, **FAST)
    loop = server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match=rf"{loop}: more than 5 redirects: not followed"):
        http.get(loop, **FAST)


# -- what the server says reaches the terminal only as safe characters ---------------------

def test_reason_phrase_escape_codes_are_shown_escaped(server: LocalServer) -> None:
    url = server.route("/evil", Reply(404, reason="\x1b]0;owned\x07\x1b[2J\x9b31m gone"))
    with pytest.raises(FetchError) as caught:
        http.get(url, **FAST)
    assert caught.value.format_message() == (
        f"{url}: HTTP 404 \\x1b]0;owned\\x07\\x1b[2J\\x9b31m gone (not retried)")


def test_terminal_safe_escapes_every_non_printable_and_only_those() -> None:
    from builder.core.errors import BuilderError, terminal_safe

    hostile = "CA\x1b[31m \u202eevil\u2066 \x9b2J\r\n\t\x00\u2028\ue000 Ünïcode «ok»"
    shown = terminal_safe(hostile)
    assert shown == ("CA\\x1b[31m \\u202eevil\\u2066 \\x9b2J\\r\\n\\t\\x00\\u2028\\ue000 "
                     "Ünïcode «ok»")
    assert shown.isprintable() and terminal_safe(shown) == shown
    # an error's own line ends stay; anything else in each line is escaped
    assert BuilderError("one\x1b[2J\ntwo\u202e").format_message() == "one\\x1b[2J\ntwo\\u202e"
