"""``python -m gawahi`` runs the CLI."""

from gawahi.cli import main

main()
