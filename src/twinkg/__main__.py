"""`python -m twinkg` runs the command line."""

from twinkg.cli import main

main()
