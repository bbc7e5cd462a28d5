"""Glue StopCrawler: the stopped crawl ends at once, so the crawler is READY again.

Why the platform needs it: the post-deploy data-flow test starts each crawler and stops it at once. moto
5.2.5 left a stopped crawl in STOPPING for good, so the crawler never became READY again and a second run of
the suite on the same deployment (the fault self-test's) could not start it. On AWS a stop takes a short
while; the emulator has no crawl to wind down.
"""

from moto.glue.models import FakeCrawler

_ORIGINAL = FakeCrawler.stop_crawler


def _stop_crawler(self: FakeCrawler) -> None:
    _ORIGINAL(self)
    self.crawls[-1].status = "STOPPED"


def apply() -> None:
    """Wrap moto's stop (once)."""
    if FakeCrawler.stop_crawler is _ORIGINAL:
        FakeCrawler.stop_crawler = _stop_crawler  # type: ignore[method-assign]
