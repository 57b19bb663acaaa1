"""Machine checks: pure functions of fetched pages and the round's as-of date.

Owns: the page model (Page, CheckContext, CheckFinding), the check catalogue, the text, date,
link, column, PII, typo and availability deciders, and attachment text extraction.
May import: store (paths to resources) and errors. No database, no network: saved HTML is enough.
"""
