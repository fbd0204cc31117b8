"""The HTTP client (httpx): polite to the portal, bounded in what it waits for and what it reads.

- One request at a time (the crawl is sequential) and, per host, ``delay`` seconds from the end of one
  response to the next request (robots.txt's Crawl-delay raises it: ``set_delay``).
- Timeouts, 5xx and 429 are retried ``retries`` times, waiting ``backoff × 2^n`` more each time.
- ``429`` and ``503`` with ``Retry-After`` (seconds or an HTTP date) wait that long, up to ``max_wait``.
- Redirects are followed by hand: at most ``max_redirects``, same site only, each target checked with
  ``allowed`` (robots.txt); a loop is reported as one.
- A body over ``max_bytes`` (declared or read, after decompression) is abandoned.
"""

from __future__ import annotations

import email.utils
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import httpx

from indexer.crawl.urls import host_key, normalize

__all__ = ["FetchError", "Response", "Client", "USER_AGENT"]

log = logging.getLogger(__name__)

USER_AGENT = "vnlex-crawler/0.1 (legal-document search index)"


class FetchError(Exception):
    """A URL could not be fetched; ``str(err)`` says why (``"timed out after 2.0 s (3 attempts)"``)."""


@dataclass(frozen=True)
class Response:
    """A final response: ``url`` after redirects, ``headers`` with lower-case names."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()


@dataclass
class _Counts:
    requests: int = 0
    bytes: int = 0
    log: list[tuple[float, str, int]] = field(default_factory=list)  # (monotonic start, url, status)


class Client:
    """``get(url, headers)`` → ``Response`` or ``FetchError``; ``counts`` has requests and bytes so far."""

    def __init__(self, *, user_agent: str = USER_AGENT, delay: float = 1.0, timeout: float = 20.0,
                 retries: int = 2, backoff: float | None = None, max_bytes: int = 20_000_000,
                 max_redirects: int = 5, max_wait: float = 120.0,
                 allowed: Callable[[str], bool] = lambda url: True, sleep=time.sleep, clock=time.monotonic):
        self.delay, self.timeout, self.retries, self.max_bytes = delay, timeout, retries, max_bytes
        self.backoff = delay if backoff is None else backoff
        self.max_redirects, self.max_wait, self.allowed = max_redirects, max_wait, allowed
        self.sleep, self.clock = sleep, clock
        self.counts = _Counts()
        self._delays: dict[str, float] = {}
        self._next: dict[str, float] = {}  # host → the earliest time of its next request
        self._http = httpx.Client(headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
                                  timeout=httpx.Timeout(timeout), follow_redirects=False)

    def close(self) -> None:
        self._http.close()

    def set_delay(self, host: str, seconds: float) -> None:
        """The delay between two requests to ``host`` (never below the client's ``delay``)."""
        self._delays[host] = max(self.delay, seconds)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``, following same-site redirects that ``allowed`` accepts; ``FetchError`` otherwise."""
        seen = [url]
        for _ in range(self.max_redirects + 1):
            response = self._retrying(seen[-1], headers or {})
            location = response.headers.get("location", "")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            target = normalize(location, seen[-1])
            if not target or host_key(target) != host_key(url):
                raise FetchError(f"redirect to another site ({location})")
            if target in seen:
                raise FetchError("redirect loop: " + " → ".join(seen + [target]))
            if not self.allowed(target):
                raise FetchError(f"redirect to a URL robots.txt disallows ({target})")
            seen.append(target)
        raise FetchError(f"more than {self.max_redirects} redirects")

    def _retrying(self, url: str, headers: dict[str, str]) -> Response:
        """One URL: timeouts, connection errors and 5xx retried with backoff; ``Retry-After`` honoured."""
        attempts, reason = self.retries + 1, ""
        for attempt in range(attempts):
            try:
                response = self._once(url, headers)
            except httpx.TimeoutException:
                reason = f"timed out after {self.timeout:g} s"
            except httpx.TransportError as err:
                reason = f"connection failed ({type(err).__name__}: {err})"
            else:
                wait = _retry_after(response.headers.get("retry-after", ""))
                if response.status in (429, 503) and wait is not None:
                    if wait > self.max_wait:
                        raise FetchError(f"HTTP {response.status}, Retry-After {wait:g} s is more than "
                                         f"{self.max_wait:g} s")
                    reason = f"HTTP {response.status} (Retry-After {wait:g} s)"
                    host = host_key(url)
                    self._next[host] = max(self._next.get(host, 0.0), self.clock() + wait)
                    continue
                if response.status < 500 and response.status != 429:
                    return response
                reason = f"HTTP {response.status}"  # a 429 without Retry-After: the backoff below
            if attempt + 1 < attempts:
                log.info("crawl: %s: %s; retrying", url, reason)
                self._postpone(url, self.backoff * 2 ** attempt)
        raise FetchError(f"{reason} ({attempts} attempts)")

    def _postpone(self, url: str, seconds: float) -> None:
        host = host_key(url)
        self._next[host] = max(self._next.get(host, 0.0), self.clock()) + seconds

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        """One request after the host's delay, its body read up to ``max_bytes``."""
        host = host_key(url)
        wait = self._next.get(host, 0.0) - self.clock()
        if wait > 0:
            self.sleep(wait)
        started = self.clock()
        self.counts.requests += 1
        r = None
        try:
            with self._http.stream("GET", url, headers=headers) as r:
                status, head = r.status_code, {k.lower(): v for k, v in r.headers.items()}
                self.counts.log.append((started, url, status))
                declared = head.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"response too large ({declared} bytes > limit {self.max_bytes})")
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(f"response too large (> limit {self.max_bytes} bytes)")
                    if self.clock() - started > 10 * self.timeout:  # a page trickling in forever
                        raise httpx.ReadTimeout("body too slow")
        finally:
            self.counts.bytes += r.num_bytes_downloaded if r is not None else 0
            self._next[host] = self.clock() + self._delays.get(host, self.delay)
        return Response(normalize(url) or url, status, head, bytes(body))


def _retry_after(value: str) -> float | None:
    """``"120"`` → 120.0; an HTTP date → seconds from now (≥ 0); anything else → None."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when is not None else None
