"""``python -m search_app``: see ``search_app.cli``."""
from search_app.cli import main

main(prog_name="python -m search_app")
