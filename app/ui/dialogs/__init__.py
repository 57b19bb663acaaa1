"""Modal dialogs: record add/edit, status change, status history."""
