"""Machine checks: pure functions of fetched pages and the round's as-of date.

Owns: the page model (Page, CheckContext, CheckFinding), the check catalogue, the text, date,
link, column, PII, typo and availability deciders, and attachment text extraction under a budget
(attachment_text, budget).
May import: store (paths to resources), office (the streaming sheet reader) and errors. No
database, no network: saved HTML is enough.
"""
