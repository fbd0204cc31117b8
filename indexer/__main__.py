"""``python -m indexer``: see ``indexer.cli``."""
from indexer.cli import main

main(prog_name="python -m indexer")
