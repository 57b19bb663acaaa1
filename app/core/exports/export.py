"""One action for a reviewed round: annex workbooks (+ the combined one) and, if asked, the draft."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import sqlite_utils

from .annex_data import Annex, coverage_warning, load_round_data
from .annex_tables import build_annexes
from .annex_xlsx import combined_filename, write_annexes
from .circular import build_circular, draft_filename, save_circular
from .options import CircularOptions, ExportOptions

SCORED_FAMILIES = ("summary", "problems", "details", "platforms")    # annexes whose figures need the checks done


@dataclass
class ExportResult:
    paths: list[Path]                                   # files written, in order
    notes: list[str] = field(default_factory=list)      # annexes left out and why
    annexes: list[Annex] = field(default_factory=list)


def year_of(db: sqlite_utils.Database, data, options: CircularOptions | None):
    """The year totals a draft with a 全年总体情况 section needs (rounds of the year up to this one)."""
    if options is None or not options.year_overview:
        return None
    from ..rounds.year_totals import year_totals
    return year_totals(db, int(data.round.as_of[:4]), until=data.round.as_of)


def export_round(db: sqlite_utils.Database, round_id: int, out_dir: Path | str, families: list[str] | None = None,
                 circular: bool = False, options: ExportOptions | None = None,
                 circular_options: CircularOptions | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> ExportResult:
    """Write the annexes of ``families`` (default: all) into ``out_dir`` — 附件N-<标题>.xlsx each,
    then 全部附件-<轮次>.xlsx — and with ``circular`` the draft (.docx and .txt)."""
    options = options or ExportOptions()
    data = load_round_data(db, round_id, area=options.area or None, options=options)
    built = build_annexes(data, families, options)
    paths = write_annexes(built.annexes, out_dir, options.style, combined_filename(data.round.name), progress)
    scored = circular or any(a.key.split(".")[0] in SCORED_FAMILIES for a in built.annexes)
    notes = [w for w in (coverage_warning(data),) if w and scored] + list(built.notes)
    if circular:
        period = options.period or None
        draft = build_circular(data, built.annexes, circular_options, period, year_of(db, data, circular_options))
        paths += save_circular(draft, out_dir, draft_filename(data, period))
        notes += [n for n in draft.notes if n not in notes]
    return ExportResult(paths, notes, built.annexes)
