"""robots.txt with the standard parser: which URLs may be fetched, the Crawl-delay, the Sitemap lines.

As RFC 9309 says: a robots.txt that is missing (4xx) allows everything; one that cannot be fetched
(5xx, timeouts) disallows everything for this crawl, and says so in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

__all__ = ["Robots"]


@dataclass
class Robots:
    """The rules of one site for ``agent`` (the product token of the User-Agent, e.g. ``vnlex-crawler``)."""

    text: str
    agent: str
    disallow_all: bool = False

    def __post_init__(self):
        self._parser = RobotFileParser()
        self._parser.parse(self.text.splitlines())
        self._parser.modified()  # the parser answers False to everything until it was "checked"

    def allowed(self, url: str) -> bool:
        return not self.disallow_all and self._parser.can_fetch(self.agent, url)

    def delay(self) -> float:
        """Seconds between requests asked for: ``Crawl-delay``, or ``Request-rate`` as seconds per request."""
        delay = self._parser.crawl_delay(self.agent) or 0
        rate = self._parser.request_rate(self.agent)
        if rate and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return float(delay)

    def sitemaps(self) -> list[str]:
        return list(self._parser.site_maps() or [])
