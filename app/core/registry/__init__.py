"""The registry of websites and new-media accounts in scope.

Owns: regions, units, sites, accounts and their status history (registry), field specs,
validation and vocabularies, import and export, statistics as of a date, the demo registry.
May import: store, office, errors.
"""
