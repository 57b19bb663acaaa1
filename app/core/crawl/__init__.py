"""Fetching and the check-run engine.

Owns: the polite HTTP fetcher (transport, decoding, TLS), the crawler, and the run engine that
drives a round's checks (jobs, run store, site run and worker, options, cancel/pause tokens,
run overview), the helper processes that read attachments under a time and memory limit
(parse_pool, proc_limits), re-checking single links (linkcheck), and availability monitoring: the monitor
and its lock and scheduled task, the probes table, probe-log import and a round's verdicts.
May import: store, office, registry, rounds, checks. Never followup or exports.
"""
