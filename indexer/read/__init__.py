"""Stage 1 of the pipeline: corpus files → ``Document`` records, streamed, with a report of every
file or record line not used (``reader.read_corpus``, ``reader.iter_corpus``, ``reader.read_file``)."""
