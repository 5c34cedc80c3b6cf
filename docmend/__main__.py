"""``python -m docmend`` runs the ``docmend`` command."""

from docmend.cli import main

main()
