"""Qt table models over frozen rows."""
