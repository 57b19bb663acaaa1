"""Machine checks: pure functions of fetched pages and the round's as-of date."""
