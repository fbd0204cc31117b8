"""Stage 3 (pure): normalized text → the legal documents it cites, in canonical form
(``citations.extract_citations``), and what each citation does to the document it names
(``relations.read_relations``: can_cu, huong_dan, sua_doi, thay_the, bai_bo, het_hieu_luc, thuc_hien,
dan_chieu and the passive bi_* forms, from the cue phrases in ``cues``)."""
