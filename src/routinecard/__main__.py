"""`python -m routinecard` runs the command-line interface."""

from routinecard.cli import main

main()
