"""Pure-Python core of GovInspect. Never imports PySide6."""
