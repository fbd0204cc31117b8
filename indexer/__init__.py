"""vnlex indexer: corpus files → a Whoosh index of articles, documents and the documents they cite.

The sub-packages are the pipeline, in the order data flows through it (the query goes through the
same ``text`` steps as the index):

1. ``read`` — files → ``Document`` records and a report of what was not used: walking and formats
   (``files``), bytes → text (``decode``), HTML pages (``html``, the only bs4 user), page text
   (``pagetext``, ``legaltext``), JSON records streamed (``records``), dates; ``reader`` ties them up.
2. ``text`` — ``normalize`` (NFC, Ð→Đ, one tone-mark style; folding for accent-free search),
   ``segment`` (the only pyvi user) and ``analysis`` (the Whoosh analyzers, pickled into the index).
3. ``cite`` — cited documents found in the normalized raw text, never in pyvi output (which splits
   ``93/KH-UBND`` into pieces): ``citations`` (``extract_citations``), ``docnumbers``, ``lawnames``,
   and the code ``tables``.
4. ``index`` — records → entries (``entries``: citations, cited-only documents, law names) written with
   the ``schema``: ``build`` and ``update`` into new build folders switched atomically (``folders``),
   ``parallel`` writers, the segmentation cache (``segcache``), the ``lock``, and ``overview``
   (stats, verify).

Before them, ``crawl`` — portal → raw pages in the corpus folder (HTTP, robots, sitemaps, feeds, state).

On top: ``cli`` (``python -m indexer``), ``progress`` (terminal bar or log lines), and ``document``
(the ``Document`` record every stage passes on). This package never imports Flask.
"""
