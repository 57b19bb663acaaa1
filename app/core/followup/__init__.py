"""What follows a round's checks: new-media review, registry hygiene, 找错 messages, 整改.

Owns: media observations and proposals, hygiene rules, message statistics, rectification notices
and re-checks, and the working-day calendar their deadlines use.
May import: store, office, registry, rounds, checks, crawl. Never exports.
"""
