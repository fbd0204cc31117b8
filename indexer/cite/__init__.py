"""Stage 3 (pure): normalized text → the legal documents it cites, in canonical form
(``citations.extract_citations``)."""
