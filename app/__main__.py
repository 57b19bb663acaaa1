"""python -m app: the GUI without arguments, the headless CLI with a command."""
import sys

from app.cli.main import main

if __name__ == "__main__":
    # The frozen app's helper processes (attachment parsing, crawl/parse_pool.py) start through
    # this same program; freeze_support hands them over to multiprocessing (no-op elsewhere).
    import multiprocessing
    multiprocessing.freeze_support()
    sys.exit(main())
