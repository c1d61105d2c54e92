"""``python -m kontobok``: the same as the ``kontobok`` command."""

from kontobok.cli import main

main()
