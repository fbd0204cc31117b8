"""vnlex indexer: corpus files → a Whoosh index of articles, documents and the documents they cite.

The text pipeline has one order, for the index and for the query alike:

1. extract text (``corpus``, the only bs4 user, with ``corpusfiles``, ``decode``, ``pagetext``,
   ``legaltext``, ``records`` and ``dates``) → ``Document`` records;
2. normalize (``normalize``: NFC, Ð→Đ, one tone-mark style; folding for accent-free search);
3. extract citations and dates (``citations``) from the normalized raw text — never from pyvi output,
   which splits ``93/KH-UBND`` into pieces;
4. segment (``segment``, the only pyvi user) and analyse (``analysis``) the text fields;
5. turn records into index entries (``entries``: citations, cited-only documents, law names) and
   write them (``build``/``update``, ``parallel``, ``segcache``, ``lock``) with the schema in ``schema``.

This package never imports Flask.
"""
