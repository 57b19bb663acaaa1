"""python -m app: the GUI without arguments, the headless CLI with a command."""
import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
