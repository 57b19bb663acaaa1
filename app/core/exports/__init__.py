"""Circular annexes (附件 workbooks) and the circular draft (通报) of a round.

Three steps a GUI can call one by one: ``list_annexes()`` (the families and their
options), ``load_round_data`` + ``build_annexes`` (every table as plain rows, for a
preview), then ``write_annexes`` / ``write_circular`` (files in a folder, paths back).
``export_round`` does all three, as the CLI ``export`` command does.
"""
from __future__ import annotations

from .annex_data import (FAMILIES, ActivityOptions, Annex, AnnexBuild, AnnexFamily, DetailsOptions, ExportOptions, MessagesOptions,
                         PlatformsOptions, ProblemsOptions, RoundData, SummaryOptions, build_annexes, list_annexes, load_round_data)
from .annex_xlsx import write_annex, write_annexes, write_combined
from .circular import CircularDraft, CircularOptions, build_circular, write_circular
from .export import ExportResult, export_round

__all__ = [
    "FAMILIES", "ActivityOptions", "Annex", "AnnexBuild", "AnnexFamily", "DetailsOptions", "ExportOptions", "MessagesOptions",
    "PlatformsOptions",
    "ProblemsOptions", "RoundData", "SummaryOptions", "build_annexes", "list_annexes", "load_round_data",
    "write_annex", "write_annexes", "write_combined", "CircularDraft", "CircularOptions", "build_circular",
    "write_circular", "ExportResult", "export_round",
]
