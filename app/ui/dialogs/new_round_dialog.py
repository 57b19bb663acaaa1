"""新建轮次: name, type, dates, rule set and scope, with a live sample preview before creating.

The scope is what `round create` takes: 全量, a percentage or a number per target type, a census
of named 地区/分组/级别/网站类别 with a sample of the rest, 分层, seed, 回头看, and veto-only rounds.
The preview runs the core's preview_sample on a worker (a registry of 5,000 accounts takes a while)
whenever the scope changes; the round is then created with exactly the previewed seed, so
what was shown is what gets frozen.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, QTimer, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from app.core.rounds import profiles, rounds

from .. import style
from ..parts import form as form_rows, splitter
from ..scoring_workers import CreateRoundWorker, PreviewResult, PreviewWorker, RoundParams
from ..table_models.rounds_model import TargetColumn, TargetsTableModel
from ..table_models.rows_model import RowsTableModel
from ..widgets.date_edit import DateEdit
from ..workers import Jobs
from .dialog_parts import with_footer
from .round_scope import CensusField, ScopeRow

PREVIEW_DELAY_MS = 250          # typing a percentage should not start a preview per keystroke
COUNT_HEADERS = ("", "运行中", "全量", "普查", "抽样", "回头看", "纳入合计")
SHOW_REASONS = ("全部", "普查", "抽样", "全量", "回头看")      # the preview list's filter
KIND_NOUNS = {"site": "网站", "account": "新媒体"}


def scope_text(plan, kind: str, census: str, sampled: bool) -> str:
    """One kind's part of the preview line: "新媒体 348 个（普查“区、市级部门” 200 个，其余 1409 个中抽样 148 个）"."""
    running = plan.running_sites if kind == "site" else plan.running_accounts
    n, n_census, n_sample = plan.count(kind), plan.count(kind, "普查"), plan.count(kind, "抽样")
    recheck = plan.count(kind, "回头看")
    if n_census:
        detail = f"普查“{census}” {n_census} 个，" + (f"其余 {running - n_census} 个中抽样 {n_sample} 个" if sampled
                                                       else "其余不纳入")
    elif n_sample:
        detail = f"{running} 个中抽样 {n_sample} 个"
    else:
        detail = "全量" if n - recheck == running else f"{running} 个运行中"
    if recheck:
        detail += f"，回头看 {recheck} 个"
    return f"{KIND_NOUNS[kind]} {n} 个（{detail}）"


def rule_sets(db) -> list[tuple[str, str]]:
    """(id a round can name, label) for every rule set, and for profiles outside any set."""
    infos = profiles.list_profiles(db)
    sets: dict[str, list] = {}
    for info in infos:
        sets.setdefault(info.set_id or info.id, []).append(info)
    out = []
    for set_id, members in sets.items():
        members.sort(key=lambda m: m.target_type != "site")
        parts = "，".join(f"{profiles.TARGET_ZH[m.target_type]} {m.version}" for m in members)
        out.append((set_id, f"{set_id}（{parts}）"))
    return out


class NewRoundDialog(QDialog):
    preview_ready = Signal(object)        # RoundPlan shown
    preview_failed = Signal(str)
    created = Signal(int)                 # new round id
    create_failed = Signal(str)

    def __init__(self, db, db_path: Path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("新建检查轮次")
        self._db, self._db_path = db, Path(db_path)
        self._jobs = Jobs(self)
        self._generation = 0
        self._shown_generation = -1
        self._creating = False
        self._pending_preview = -1
        self.plan = None                  # the RoundPlan on screen, when it is current
        self.round_id: int | None = None
        today = dt.date.today()

        self.name = QLineEdit(f"{today.year}年{today.month}月检查")
        self.kind = QComboBox()
        for k in rounds.KINDS:
            self.kind.addItem(k, k)
        self.as_of = DateEdit()
        self.as_of.setText(today.isoformat())
        self.as_of.line.setPlaceholderText("如 2025-08-14")
        self.period_from, self.period_to = DateEdit(), DateEdit()
        period = QHBoxLayout()
        period.addWidget(self.period_from, 1)
        period.addWidget(QLabel("至"))
        period.addWidget(self.period_to, 1)
        self.profile = QComboBox()
        for set_id, label in rule_sets(db):
            self.profile.addItem(label, set_id)
        at = self.profile.findData(rounds.DEFAULT_PROFILE)
        self.profile.setCurrentIndex(max(at, 0))
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("可留空")
        self.veto_only = QCheckBox("只检查单项否决指标（结果只有合格/不合格，不计分）")
        self.veto_only.setToolTip("如广东、四川的季度检查：只查单项否决项，导出的通报和附件写“合格/不合格”")
        info_box = QGroupBox("轮次信息")
        form = QFormLayout(info_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("名称" + style.REQUIRED_MARK, self.name)
        form.addRow("类型", self.kind)
        form.addRow("监测时间点" + style.REQUIRED_MARK, self.as_of)
        form.addRow("检查时间段", period)
        form.addRow("指标体系", self.profile)
        form.addRow("", self.veto_only)
        form.addRow("备注", self.notes)

        self.sites_scope, self.accounts_scope = ScopeRow(), ScopeRow()
        self.sites_census = CensusField("网站", "市级门户、省级部门网站")
        self.accounts_census = CensusField("新媒体", "区、市级部门")
        self.stratify = QCheckBox("按地区分层抽样（各地区按规模分配，至少 1 个）")
        self.seed = QLineEdit(str(rounds.new_seed()))
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{1,18}"), self.seed))
        self.seed.setToolTip("相同的种子和名录得到相同的样本，便于复核")
        self.reseed_button = QPushButton("重新抽样")
        self.reseed_button.setToolTip("换一个随机种子，重新抽取样本")
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.reseed_button)
        self.recheck = QComboBox()
        self.recheck.addItem("不回头看", None)
        for r in rounds.list_rounds(db):
            self.recheck.addItem(f"{r.name}（{r.as_of}，确认问题 {r.confirmed_count} 条）", r.id)
        self.recheck.setToolTip("把所选轮次中有确认问题且尚未整改的对象加入本轮")
        scope_box = QGroupBox("检查范围")
        form_rows(("网站", self.sites_scope), ("　普查", self.sites_census), ("新媒体", self.accounts_scope),
                  ("　普查", self.accounts_census), ("", self.stratify), ("随机种子", seed_row), ("回头看", self.recheck),
                  parent=scope_box)

        left = QVBoxLayout()
        left.addWidget(info_box)
        left.addWidget(scope_box)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)

        self.preview_status = QLabel("正在计算样本…")
        self.preview_status.setWordWrap(True)
        self.counts_model = RowsTableModel(COUNT_HEADERS, [], self)
        self.counts_view = QTableView()
        self.counts_view.setModel(self.counts_model)
        self.counts_view.verticalHeader().setVisible(False)
        self.counts_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.counts_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.counts_view.verticalHeader().setDefaultSectionSize(24)
        self.counts_view.setToolTip("普查：指定范围内的对象全部纳入；抽样：其余对象中随机抽取")
        self.counts_view.setFixedHeight(self.counts_view.horizontalHeader().sizeHint().height() + 2 * 24 + 4)
        self.targets_model = TargetsTableModel(self, show_state=False)
        self.targets_view = QTableView()
        self.targets_view.setModel(self.targets_model)
        self.targets_view.verticalHeader().setVisible(False)
        self.targets_view.verticalHeader().setDefaultSectionSize(24)
        self.targets_view.setAlternatingRowColors(True)
        self.targets_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.targets_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.targets_view.setWordWrap(False)
        self.targets_view.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((190, 48, 70, 110, 60)):       # rounds_model.PREVIEW_COLUMNS
            self.targets_view.setColumnWidth(col, width)
        self.targets_proxy = QSortFilterProxyModel(self)
        self.targets_proxy.setSourceModel(self.targets_model)
        self.targets_proxy.setFilterKeyColumn(self.targets_model.column_of(TargetColumn.REASON))
        self.targets_view.setModel(self.targets_proxy)
        self.show_reason = QComboBox()
        for reason in SHOW_REASONS:
            self.show_reason.addItem(reason, None if reason == "全部" else reason)
        self.show_reason.currentIndexChanged.connect(self._on_show_reason)
        list_row = QHBoxLayout()
        list_row.addWidget(QLabel("纳入的对象"))
        list_row.addStretch(1)
        list_row.addWidget(QLabel("显示"))
        list_row.addWidget(self.show_reason)
        self.census_note = QLabel()
        self.census_note.setWordWrap(True)
        self.census_note.setStyleSheet(style.WARNING)
        self.census_note.setVisible(False)
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setStyleSheet(style.WARNING)
        self.skipped.setVisible(False)
        preview_box = QGroupBox("抽样预览")
        pv = QVBoxLayout(preview_box)
        pv.addWidget(self.preview_status)
        pv.addWidget(self.counts_view)
        pv.addWidget(self.census_note)
        pv.addLayout(list_row)
        pv.addWidget(self.targets_view, 1)
        pv.addWidget(self.skipped)

        body = splitter(left_widget, preview_box, stretch=(2, 3), sizes=[430, 630], collapsible=False)
        self.message, self.buttons, self.ok_button = with_footer(self, body, "创建轮次")
        self.resize(1100, 660)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        for signal in (self.as_of.textChanged, self.sites_scope.changed, self.accounts_scope.changed,
                       self.sites_census.changed, self.accounts_census.changed, self.stratify.toggled,
                       self.seed.textChanged, self.recheck.currentIndexChanged):
            signal.connect(self._on_scope_changed)
        for signal in (self.name.textChanged, self.period_from.textChanged, self.period_to.textChanged,
                       self.profile.currentIndexChanged):
            signal.connect(self._update_ok)
        self.reseed_button.clicked.connect(self.reseed)
        self.refresh_preview()

    # --- form --------------------------------------------------------------------------------
    def params(self) -> RoundParams:
        seed_text = self.seed.text().strip()
        return RoundParams(
            name=self.name.text().strip(), kind=self.kind.currentData(), as_of=self.as_of.text(),
            period_from=self.period_from.text() or None, period_to=self.period_to.text() or None,
            profile_id=self.profile.currentData() or "", sample_sites_pct=self.sites_scope.percent(),
            sample_accounts_pct=self.accounts_scope.percent(), stratify_by_region=self.stratify.isChecked(),
            seed=int(seed_text) if seed_text else None, recheck_round_id=self.recheck.currentData(),
            notes=self.notes.text().strip(), sample_sites_count=self.sites_scope.count(),
            sample_accounts_count=self.accounts_scope.count(), census_sites=self.sites_census.text(),
            census_accounts=self.accounts_census.text(), veto_only=self.veto_only.isChecked())

    @Slot()
    def reseed(self) -> None:
        self.seed.setText(str(rounds.new_seed()))

    @Slot()
    def _on_scope_changed(self, *_args) -> None:
        self._generation += 1             # whatever is on screen no longer answers the form
        self.plan = None
        self.preview_status.setStyleSheet(style.HINT)
        self.preview_status.setText("正在计算样本…")
        self._update_ok()
        self._timer.start()

    @Slot()
    def refresh_preview(self) -> None:
        """Start a preview of the current scope now (the timer calls this after a pause in typing)."""
        self._timer.stop()
        params = self.params()
        if params.seed is None:
            self._show_preview_problem("请填写随机种子（非负整数），或点“重新抽样”生成一个。")
            return
        worker = PreviewWorker(self._db_path, params, self._generation)
        worker.finished.connect(self._on_preview_finished)
        worker.failed.connect(self._on_preview_failed)
        self._pending_preview = self._generation
        self._jobs.start(worker)

    @Slot(object)
    def _on_preview_finished(self, result: PreviewResult) -> None:
        if result.generation != self._generation:
            return                        # an older answer: a newer preview is on its way
        plan = result.plan
        self.plan = plan
        self._shown_generation = result.generation
        rows = []
        for kind, label, running in (("site", "网站", plan.running_sites), ("account", "新媒体", plan.running_accounts)):
            rows.append((label, running, plan.count(kind, "全量"), plan.count(kind, "普查"), plan.count(kind, "抽样"),
                         plan.count(kind, "回头看"), plan.count(kind)))
        self.counts_model.set_rows(COUNT_HEADERS, rows)
        self.targets_model.set_targets(plan.targets)
        params = self.params()
        parts = [scope_text(plan, kind, census, sampled) for kind, census, sampled in (
            ("site", params.census_sites, params.sample_sites_pct is not None or params.sample_sites_count is not None),
            ("account", params.census_accounts,
             params.sample_accounts_pct is not None or params.sample_accounts_count is not None))]
        self.preview_status.setStyleSheet(style.HINT)
        # One line per kind: a census sentence is long, and a wrapped label is clipped in the splitter.
        self.preview_status.setText(f"截至 {plan.as_of}（种子 {plan.seed}）将纳入：\n" + "\n".join(parts))
        unknown = []
        for field, kind in ((self.sites_census, "site"), (self.accounts_census, "account")):
            field.set_choices(result.choices.get(kind, []))
            unknown += [f"“{t}”下没有运行中的{KIND_NOUNS[kind]}" for t in field.unknown_terms()]
        self.census_note.setText("普查：" + "；".join(unknown) + "（请检查名称，或点“选择…”从名录中勾选）。")
        self.census_note.setVisible(bool(unknown))
        if plan.skipped:
            self.skipped.setText(f"回头看未纳入 {len(plan.skipped)} 个：" + "；".join(
                f"{s.name}（{s.reason}）" for s in plan.skipped[:8]) + ("…" if len(plan.skipped) > 8 else ""))
        self.skipped.setVisible(bool(plan.skipped))
        self._update_ok()
        self.preview_ready.emit(plan)

    @Slot()
    def _on_show_reason(self) -> None:
        reason = self.show_reason.currentData()
        self.targets_proxy.setFilterRegularExpression(f"^{reason}$" if reason else "")

    @Slot(str)
    def _on_preview_failed(self, message: str) -> None:
        if self._pending_preview != self._generation:
            return
        self._show_preview_problem(message)

    def _show_preview_problem(self, message: str) -> None:
        self.plan = None
        self.counts_model.set_rows(COUNT_HEADERS, [])
        self.targets_model.set_targets([])
        self.skipped.setVisible(False)
        self.census_note.setVisible(False)
        self.preview_status.setStyleSheet(style.ERROR)
        self.preview_status.setText(message)
        self._update_ok()
        self.preview_failed.emit(message)

    @Slot()
    def _update_ok(self, *_args) -> None:
        problem = ""
        if not self.name.text().strip():
            problem = "请填写轮次名称。"
        elif self.plan is not None and not self.plan.targets:
            problem = "截至监测时间点，名录中没有运行中的网站或新媒体，无法建立检查轮次。"
        if not self._creating:
            self.message.setStyleSheet(style.ERROR)
            self.message.setText(problem)
        self.ok_button.setEnabled(not problem and self.plan is not None and not self._creating)

    # --- creating ----------------------------------------------------------------------------
    def accept(self) -> None:
        if self._creating or self.plan is None or self._shown_generation != self._generation:
            return
        params = self.params()
        if params.seed != self.plan.seed:
            return
        self._creating = True
        self.ok_button.setEnabled(False)
        self.message.setStyleSheet(style.HINT)
        self.message.setText("正在建立检查轮次并冻结检查对象…")
        worker = CreateRoundWorker(self._db_path, params)
        worker.finished.connect(self._on_created)
        worker.failed.connect(self._on_create_failed)
        self._jobs.start(worker)

    @Slot(object)
    def _on_created(self, round_id: int) -> None:
        self._creating = False
        self.round_id = round_id
        self.created.emit(round_id)
        super().accept()

    @Slot(str)
    def _on_create_failed(self, message: str) -> None:
        self._creating = False
        self.message.setStyleSheet(style.ERROR)
        self.message.setText(message)
        self._update_ok()
        self.create_failed.emit(message)

    def done(self, result: int) -> None:
        if self._creating:                 # the round is being written: let it finish
            return
        self._timer.stop()
        self._jobs.wait_all()
        super().done(result)
