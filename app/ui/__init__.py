"""Everything that imports PySide6: windows, pages, dialogs, models and workers."""
