"""Inspection rounds, their findings and their scores.

Owns: rounds and sampled targets (rounds), findings and their review (findings, finding_io),
indicator profiles (profiles, profile_xlsx), the pure scoring engine (scoring, round_scores), and
where findings' pictures are kept (shot_files).
May import: store, office, registry, errors.
"""
