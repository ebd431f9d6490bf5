"""`python -m innovate_platform` runs the `innovate` CLI."""

from .cli import main

main()
