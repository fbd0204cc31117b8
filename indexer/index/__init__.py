"""Stage 4: records → index entries → a Whoosh index in a build folder, switched to atomically
(``build.build``, ``update.update``), and what reads an index back for staff (``overview``)."""
