"""Inspection rounds, their findings and their scores.

Owns: rounds and sampled targets (rounds), findings and their review (findings, finding_io),
indicator profiles (profiles, profile_xlsx), and the pure scoring engine (scoring, round_scores).
May import: store, office, registry, errors.
"""
