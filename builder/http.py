"""HTTP GET with the guards every request needs: timeouts, retries, a byte cap."""

from __future__ import annotations

import email.utils
import time
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
USER_AGENT = f"ca-survey-record/{__version__} (+https://github.com/; republishes CCADB data)"


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    if value.strip().isdigit():
        return min(float(value.strip()), MAX_RETRY_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, min(when.timestamp() - time.time(), MAX_RETRY_WAIT))


def _read_capped(resp: requests.Response, url: str, max_bytes: int) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: response is {int(declared):,} bytes, over the "
                         f"{max_bytes:,}-byte cap")
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: response is over the {max_bytes:,}-byte cap")
        chunks.append(chunk)
    body = b"".join(chunks)
    if declared and declared.isdigit() and int(declared) != len(body):
        raise FetchError(f"{url}: truncated body ({len(body):,} of {int(declared):,} bytes)")
    return body


def get(url: str, *, etag: str | None = None, last_modified: str | None = None,
        session: requests.Session | None = None, max_bytes: int = MAX_BYTES,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
        backoff: float = 1.0, sleep=time.sleep) -> Response:  # type: ignore[no-untyped-def]
    """GET `url`; retries 429/5xx with backoff (honouring Retry-After), never other 4xx."""
    if not url.startswith(("http://", "https://")):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    http = session or requests.Session()
    last_problem = ""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        wait = backoff * 2 ** (attempt - 1)
        try:
            with http.get(url, headers=headers, timeout=timeout, stream=True,
                          allow_redirects=True) as resp:
                if resp.status_code in RETRY_STATUSES:
                    last_problem = f"HTTP {resp.status_code}"
                    wait = _retry_after(resp.headers.get("Retry-After"), wait)
                elif resp.status_code == 304:
                    return Response(resp.url, 304, b"", etag, last_modified, "")
                elif resp.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason}")
                else:
                    body = _read_capped(resp, url, max_bytes)
                    return Response(resp.url, resp.status_code, body,
                                    resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                                    resp.headers.get("Content-Type", ""))
        except requests.Timeout:
            last_problem = "timed out"
        except requests.ConnectionError as exc:
            last_problem = f"connection failed ({type(exc).__name__})"
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {exc}") from exc
        if attempt < MAX_ATTEMPTS:
            sleep(wait)
    raise FetchError(f"{url}: {last_problem} after {MAX_ATTEMPTS} attempts")
