"""Headless command line: `python -m app <command>`; same core functions as the GUI."""
