"""Portal → raw pages in the corpus folder: a polite, resumable crawler that feeds ``update``.

In the order a crawl runs:

- ``urls``      URL normalization (fragments, tracking parameters, default ports, host case), same-site
                test, file types skipped without a request, the stable file name of a page.
- ``client``    the HTTP client (httpx): one request at a time per host with a delay, conditional GET,
                retries with backoff on timeouts and 5xx, ``Retry-After``, redirect and size limits.
- ``robots``    robots.txt (the standard parser): allowed URLs, Crawl-delay, Sitemap lines.
- ``discover``  links, pagination and feeds of listing pages (stdlib ``HTMLParser``: bs4 stays the
                reader's), sitemaps and sitemap indexes (``.xml``, ``.xml.gz``), RSS/Atom (feedparser).
- ``pdf``       the text of PDF attachments (pypdf); a scan without a text layer is reported.
- ``store``     a page as saved in the corpus: its bytes plus a ``vnlex-crawl`` block (URL, PDF text)
                that ``indexer.read.html`` reads.
- ``state``     the SQLite file beside the corpus (URL, status, ETag, Last-Modified, hash, first/last
                seen, error, the run's queue), so a crawl killed at any point resumes where it stopped.
- ``crawler``   ``crawl(config)`` ties them up and returns a ``CrawlReport``; ``config`` reads a site's
                settings file.
"""
