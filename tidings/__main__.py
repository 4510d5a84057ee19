"""Allow `python -m tidings`."""

from tidings.cli import main

main()
