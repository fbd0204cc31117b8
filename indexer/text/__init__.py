"""Stage 2: Vietnamese text — ``normalize`` (pure), ``segment`` (pyvi, loaded lazily) and the Whoosh
``analysis`` chains; the search service analyses queries with the same code."""
