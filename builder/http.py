"""HTTP GET with the guards every request needs: timeouts, retries, a byte cap.

One public entry point, `get`. Every request has a connect and a read timeout; 429 and
5xx answers (and dropped connections) are retried with exponential backoff, honouring
`Retry-After`; any other 4xx fails at once. Conditional GET: pass the ETag and
Last-Modified remembered from the last good answer and a 304 comes back as
`Response.not_modified`. Bodies over `max_bytes` (after decompression) are refused, and
so is a body shorter than its Content-Length.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from builder import __version__
from builder.errors import FetchError

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
MAX_BYTES = 50 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 4
MAX_RETRY_WAIT = 120.0
USER_AGENT = f"ca-survey-record/{__version__} (republishes CCADB data)"


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


def _attempt(http: requests.Session, url: str, headers: dict[str, str],
             timeout: tuple[float, float], max_bytes: int) -> Response:
    """One request. Raises _Retry for what is worth retrying, FetchError otherwise."""
    try:
        with http.get(url, headers=headers, timeout=timeout, stream=True,
                      allow_redirects=True) as resp:
            if resp.status_code in RETRY_STATUSES:
                raise _Retry(f"HTTP {resp.status_code} {resp.reason}",
                             _retry_after(resp.headers.get("Retry-After")))
            if resp.status_code == 304:
                return Response(resp.url, 304, b"", resp.headers.get("ETag"),
                                resp.headers.get("Last-Modified"), "")
            if resp.status_code >= 400:
                raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason} "
                                 "(not retried)")
            body = _read_capped(resp, url, max_bytes)
            return Response(resp.url, resp.status_code, body, resp.headers.get("ETag"),
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


def get(url: str, *, etag: str | None = None, last_modified: str | None = None,
        session: requests.Session | None = None, max_bytes: int = MAX_BYTES,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        backoff: float = 1.0, attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep) -> Response:
    """GET `url`; retries 429/5xx and dropped connections with backoff, never other 4xx.

    The wait before attempt n+1 is `backoff * 2**(n-1)` seconds, or the server's
    Retry-After when it gives one (capped at MAX_RETRY_WAIT). Raises FetchError.
    """
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    http = session or requests.Session()
    problem = ""
    try:
        for attempt in range(1, attempts + 1):
            try:
                return _attempt(http, url, headers, timeout, max_bytes)
            except _Retry as retry:
                problem = retry.problem
                if attempt < attempts:
                    sleep(retry.wait if retry.wait is not None else backoff * 2 ** (attempt - 1))
    finally:
        if session is None:
            http.close()
    raise FetchError(f"{url}: {problem} (gave up after {attempts} attempts)")
