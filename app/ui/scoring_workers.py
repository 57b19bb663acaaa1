"""Background jobs of the 检查批次, 审核评分 and 指标体系 pages (DbWorker subclasses).

Each worker opens its own connection in run() (see workers.DbWorker) and hands back plain
data: a RoundPlan, a round id, RoundScores, a Profile.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.errors import GovInspectError, ValidationError

from .workers import DbWorker


def problems_text(exc: ValidationError, intro: str = "") -> str:
    """One problem per line (row-numbered for file imports), after an optional intro line."""
    lines = [f"{where}：{what}" for where, what in exc.problems.items()]
    return "\n".join(([intro] if intro else []) + lines)


@dataclass(frozen=True)
class RoundParams:
    """What the 新建批次 dialog asks for (create_round's arguments)."""
    name: str
    kind: str
    as_of: str
    period_from: str | None
    period_to: str | None
    profile_id: str
    sample_sites_pct: float | None
    sample_accounts_pct: float | None
    stratify_by_region: bool
    seed: int | None                 # None: the form has no valid seed yet (no preview is run)
    recheck_round_id: int | None
    notes: str = ""
    sample_sites_count: int | None = None     # a fixed sample size instead of a percentage
    sample_accounts_count: int | None = None
    census_sites: str = ""                    # 地区/分组/级别/网站类别 taken whole ("、"-separated)
    census_accounts: str = ""
    veto_only: bool = False

    def scope(self) -> dict:
        """The keyword arguments preview_sample and create_round share beyond the percentages."""
        return {"sample_sites_count": self.sample_sites_count, "sample_accounts_count": self.sample_accounts_count,
                "census_sites": self.census_sites, "census_accounts": self.census_accounts}


@dataclass(frozen=True)
class PreviewResult:
    generation: int          # which request this answers (the form may have changed since)
    plan: object             # app.core.rounds.rounds.RoundPlan
    choices: dict            # kind -> [CensusChoice]: what a census can name on the plan's date


class PreviewWorker(DbWorker):
    """preview_sample for the dialog's current scope (5,000 accounts take a while)."""

    def __init__(self, db_path: Path, params: RoundParams, generation: int):
        super().__init__(db_path)
        self._params, self._generation = params, generation

    def work(self, db) -> PreviewResult:
        from app.core.rounds.rounds import census_choices, preview_sample
        p = self._params
        plan = preview_sample(db, p.as_of, p.sample_sites_pct, p.sample_accounts_pct, p.stratify_by_region,
                              p.seed, p.recheck_round_id, **p.scope())
        choices = {kind: census_choices(db, kind, plan.as_of) for kind in ("site", "account")}
        return PreviewResult(self._generation, plan, choices)


class CreateRoundWorker(DbWorker):
    """create_round with the previewed seed; returns the new round id."""

    def __init__(self, db_path: Path, params: RoundParams):
        super().__init__(db_path)
        self._params = params

    def work(self, db) -> int:
        from app.core.rounds.rounds import create_round
        p = self._params
        return create_round(db, p.name, p.as_of, p.period_from, p.period_to, p.kind, p.profile_id,
                            p.sample_sites_pct, p.sample_accounts_pct, p.stratify_by_region, p.seed,
                            p.recheck_round_id, p.notes, veto_only=p.veto_only, **p.scope())


class ScoreRoundWorker(DbWorker):
    """score_round for a whole round (half a second at 50,000 findings)."""

    def __init__(self, db_path: Path, round_id: int):
        super().__init__(db_path)
        self.round_id = round_id

    def work(self, db):
        from app.core.rounds.round_scores import score_round
        return score_round(db, self.round_id)


class ProfileExportWorker(DbWorker):
    def __init__(self, db_path: Path, profile, target: Path):
        super().__init__(db_path)
        self._profile, self._target = profile, Path(target)

    def work(self, db) -> Path:
        from app.core.rounds.profile_xlsx import export_xlsx
        try:
            return export_xlsx(self._profile, self._target)
        except OSError as exc:
            raise GovInspectError(f"无法写入“{self._target}”：{exc.strerror or exc}") from exc


class ProfileImportWorker(DbWorker):
    """Read a profile workbook and store it (save_profile bumps the version); returns the Profile."""

    def __init__(self, db_path: Path, source: Path):
        super().__init__(db_path)
        self._source = Path(source)

    def work(self, db):
        from app.core.rounds import profile_xlsx, profiles
        try:
            profile = profile_xlsx.import_xlsx(self._source)
            return profiles.save_profile(db, profile)
        except ValidationError as exc:
            raise GovInspectError(problems_text(
                exc, f"“{self._source.name}”中有 {len(exc.problems)} 处问题，未导入：")) from exc
