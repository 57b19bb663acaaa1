"""Circular annexes (附件 workbooks) and the circular draft (通报) of a round.

Owns: the annex tables, their .xlsx writing, the circular draft and ``export_round``; evidence
screenshots' page side and records (``shot_html``, ``shots``; Qt draws them in app/ui) and the
per-site report (``site_report``).
May import: every lower layer (store, office, registry, rounds, checks, crawl, followup).

Three steps a GUI can call one by one: ``list_annexes()`` (the families and their
options), ``load_round_data`` + ``build_annexes`` (every table as plain rows, for a
preview), then ``write_annexes`` / ``write_circular`` (files in a folder, paths back).
``export_round`` does all three, as the CLI ``export`` command does.

The names below load their module on first use (PEP 562), so that ``exports.families``
(plain constants the CLI shows in its help) can be imported without openpyxl.
"""
from __future__ import annotations

import importlib

_HOMES = {
    "annex_data": ("FAMILIES", "Annex", "AnnexBuild", "AnnexFamily", "RoundData", "list_annexes",
                   "load_round_data"),
    "options": ("ActivityOptions", "CircularOptions", "DetailsOptions", "ExportOptions", "ExportProfile",
                "MessagesOptions", "PlatformsOptions", "ProblemsOptions", "SummaryOptions", "load_profile",
                "save_profile"),
    "annex_tables": ("build_annexes",),
    "annex_xlsx": ("write_annex", "write_annexes", "write_combined"),
    "circular": ("CircularDraft", "build_circular", "write_circular"),
    "export": ("ExportResult", "export_round"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
