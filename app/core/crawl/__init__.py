"""Fetching and the check-run engine.

Owns: the polite HTTP fetcher (transport, decoding, TLS), the crawler, and the run engine that
drives a round's checks (jobs, run store, site run and worker, options, cancel/pause tokens,
run overview), plus re-checking single links (linkcheck).
May import: store, office, registry, rounds, checks. Never followup or exports.
"""
