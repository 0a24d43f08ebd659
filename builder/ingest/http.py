"""HTTP GET with the guards every request needs: timeouts, a deadline, retries, a byte
cap, and redirects kept to known hosts.

One public entry point, `get`. Every request has a connect and a read timeout, and a
total deadline that covers every attempt, the waits between them and the reading of
the body (a server trickling bytes cannot hold it longer); an outer `budget` (a whole
fetch run) can cut it shorter. 429 and 5xx answers (and dropped connections) are
retried with exponential backoff, honouring `Retry-After`; any other 4xx fails at once.
Redirects are followed only to the CCADB's hosts and the host first asked, never from
https to http. Conditional GET: pass the ETag and Last-Modified remembered from the
last good answer and a 304 comes back as `Response.not_modified`. Bodies over
`max_bytes` (after decompression) are refused, and so is a body shorter than its
Content-Length.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from builder import __version__
from builder.core.errors import FetchError
from builder.core.limits import REQUEST_DEADLINE

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_BYTES = 50 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_WAIT = 120.0
MAX_REDIRECTS = 5
CCADB_HOSTS = ("ccadb.my.salesforce-sites.com", "ccadb-public.secure.force.com")
"""Where the CCADB publishes its reports (it moved from the second to the first in 2023);
a redirect may always lead there, over https."""
USER_AGENT = f"ca-survey-record/{__version__} (republishes CCADB data)"
MAX_REASON_SHOWN = 80
_SLACK = 0.05
"""Seconds of clock slack within which a timeout is taken to be the deadline's."""


@dataclass(frozen=True)
class Response:
    url: str
    """The final URL, after redirects."""
    status: int
    body: bytes
    """Decoded (gzip/deflate undone) body; empty for a 304."""
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Deadline:
    """A moment (on the time.monotonic() clock) by which work must be done, and its name."""

    at: float
    what: str
    """How it is named when it is hit, e.g. 'the 180 s deadline of the request'."""

    @classmethod
    def after(cls, seconds: float, what: str) -> Deadline:
        return cls(time.monotonic() + seconds, what)

    def left(self) -> float:
        return self.at - time.monotonic()

    def sooner(self, other: Deadline | None) -> Deadline:
        return self if other is None or self.at <= other.at else other


def host_port(url: str) -> str:
    """'host:port' of a URL (the port made explicit), the unit redirects are judged by."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{(parts.hostname or '').lower()}:{port}"


class _Expired(Exception):
    """The request's deadline (or the run's budget) passed while it was under way."""


class _Retry(Exception):
    """A problem worth another attempt (after `wait` seconds, if the server said so)."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.wait = wait


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_WAIT))


def _read_capped(resp: requests.Response, url: str, max_bytes: int) -> bytes:
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: response is {int(declared):,} bytes, over the "
                         f"{max_bytes:,}-byte cap")
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"{url}: response is over the {max_bytes:,}-byte cap")
            chunks.append(chunk)
    except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError) as exc:
        raise _Retry(f"body cut short after {size:,} bytes ({type(exc).__name__})") from exc
    body = b"".join(chunks)
    encoded = resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared.isdigit() and not encoded and int(declared) != len(body):
        raise _Retry(f"body cut short ({len(body):,} of {int(declared):,} bytes)")
    return body


def _read_by(resp: requests.Response, url: str, max_bytes: int, limit: Deadline) -> bytes:
    """The body, read before `limit`: at the limit a watchdog shuts the socket, which
    ends a read that a trickling server would otherwise keep alive (the read timeout
    only bounds the wait for each piece)."""
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        with contextlib.suppress(ValueError, RuntimeError, OSError):  # already closed
            resp.raw.shutdown()

    watchdog = threading.Timer(max(limit.left(), 0.0), stop)
    watchdog.daemon = True
    watchdog.start()
    try:
        body = _read_capped(resp, url, max_bytes)
    except _Retry:
        if expired.is_set():
            raise _Expired() from None
        raise
    finally:
        watchdog.cancel()
    if expired.is_set():  # the body may look complete when it was only cut off
        raise _Expired()
    return body


def _reason(resp: requests.Response) -> str:
    """The status line's words (server-chosen: shortened; made safe to print later)."""
    reason = resp.reason or ""
    return reason if len(reason) <= MAX_REASON_SHOWN else reason[:MAX_REASON_SHOWN - 1] + "…"


def _next_hop(url: str, current: str, location: str, allowed: frozenset[str]) -> str:
    """Where a redirect leads, if it may be followed; FetchError if not."""
    target = urljoin(current, location.strip())
    scheme = urlsplit(target).scheme
    if scheme not in ("http", "https"):
        raise FetchError(f"{url}: redirected to {target!r}, not an http(s) URL: not followed")
    if scheme == "http" and urlsplit(current).scheme == "https":
        raise FetchError(f"{url}: redirected from https to http ({target}): not followed")
    if host_port(target) not in allowed:
        raise FetchError(f"{url}: redirected to another host ({target}): not followed; "
                         "redirects are followed only to " + ", ".join(sorted(allowed)))
    return target


def _timeouts(timeout: tuple[float, float], limit: Deadline) -> urllib3.Timeout:
    """Connect and read timeouts, with `total` bounding both by what is left of the limit."""
    return urllib3.Timeout(connect=timeout[0], read=timeout[1], total=max(limit.left(), 0.001))


def _attempt(http: requests.Session, url: str, headers: dict[str, str],
             timeout: tuple[float, float], max_bytes: int, limit: Deadline,
             allowed: frozenset[str]) -> Response:
    """One request, following allowed redirects. Raises _Retry for what is worth
    retrying, _Expired when the limit passed, FetchError otherwise."""
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            # requests passes a urllib3 Timeout through (its stubs allow only numbers).
            with http.get(current, headers=headers,
                          timeout=_timeouts(timeout, limit),  # type: ignore[arg-type]
                          stream=True, allow_redirects=False) as resp:
                if resp.is_redirect:
                    current = _next_hop(url, current, resp.headers["Location"], allowed)
                    continue
                if resp.status_code in RETRY_STATUSES:
                    raise _Retry(f"HTTP {resp.status_code} {_reason(resp)}",
                                 _retry_after(resp.headers.get("Retry-After")))
                if resp.status_code == 304:
                    return Response(current, 304, b"", resp.headers.get("ETag"),
                                    resp.headers.get("Last-Modified"), "")
                if resp.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {resp.status_code} {_reason(resp)} "
                                     "(not retried)")
                body = _read_by(resp, url, max_bytes, limit)
                return Response(current, resp.status_code, body, resp.headers.get("ETag"),
                                resp.headers.get("Last-Modified"),
                                resp.headers.get("Content-Type", ""))
    except requests.ConnectTimeout as exc:
        raise _Retry(f"no connection within the {timeout[0]:g} s connect timeout") from exc
    except requests.ReadTimeout as exc:
        raise _Retry(f"no answer within the {timeout[1]:g} s read timeout") from exc
    except requests.ConnectionError as exc:
        raise _Retry(f"connection failed ({type(exc).__name__})") from exc
    except requests.RequestException as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects: not followed")


def _request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Who asks, what it accepts, and the validators of the copy it has (if any)."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def get(url: str, *, etag: str | None = None, last_modified: str | None = None,
        session: requests.Session | None = None, max_bytes: int = MAX_BYTES,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        backoff: float = 1.0, attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep, deadline: float = REQUEST_DEADLINE,
        budget: Deadline | None = None, allowed_hosts: Iterable[str] = ()) -> Response:
    """GET `url`; retries 429/5xx and dropped connections with backoff, never other 4xx.

    The wait before attempt n+1 is `backoff * 2**(n-1)` seconds, or the server's
    Retry-After when it gives one (capped at MAX_RETRY_WAIT). All of it ends after
    `deadline` seconds, or at `budget` if that comes first. Redirects are followed to
    the CCADB's hosts, the host of `url` and `allowed_hosts` ('host:port'). Raises
    FetchError.
    """
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    limit = Deadline.after(deadline, f"the {deadline:g} s deadline of the request")
    limit = limit.sooner(budget)
    allowed = frozenset({f"{h}:443" for h in CCADB_HOSTS} | {host_port(url), *allowed_hosts})
    headers = _request_headers(etag, last_modified)
    http = session or requests.Session()
    problem: str | None = None
    try:
        for attempt in range(1, attempts + 1):
            try:
                return _attempt(http, url, headers, timeout, max_bytes, limit, allowed)
            except _Expired:
                problem = None
            except _Retry as retry:
                # A timeout that fired because the limit cut it short is the limit's doing.
                problem = retry.problem if limit.left() > _SLACK else None
                wait = retry.wait if retry.wait is not None else backoff * 2 ** (attempt - 1)
                if problem and attempt < attempts and wait < limit.left():
                    sleep(wait)
                    continue
                if problem and attempt == attempts:
                    break
            raise FetchError(f"{url}: {problem or 'no complete answer'}; stopped by "
                             f"{limit.what} (after {attempt} attempt(s))")
    finally:
        if session is None:
            http.close()
    raise FetchError(f"{url}: {problem} (gave up after {attempts} attempts)")
