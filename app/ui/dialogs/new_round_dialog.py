"""新建轮次: name, type, dates, rule set and scope, with a live sample preview before creating.

The preview runs preview_sample on a worker (a registry of 5,000 accounts takes a while)
whenever the scope changes; the round is then created with exactly the previewed seed, so
what was shown is what gets frozen.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRegularExpression, QTimer, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QRadioButton, QTableView, QVBoxLayout, QWidget,
)

from app.core.rounds import profiles, rounds

from .. import style
from ..parts import splitter
from ..scoring_workers import CreateRoundWorker, PreviewResult, PreviewWorker, RoundParams
from ..table_models.rounds_model import TargetsTableModel
from ..table_models.rows_model import RowsTableModel
from ..widgets.date_edit import DateEdit
from ..workers import Jobs
from .dialog_parts import with_footer

PREVIEW_DELAY_MS = 250          # typing a percentage should not start a preview per keystroke
COUNT_HEADERS = ("", "运行中", "全量", "抽样", "回头看", "纳入合计")


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


class ScopeRow(QWidget):
    """全量 / 抽样 x % for one target type."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.all_button = QRadioButton("全量")
        self.sample_button = QRadioButton("抽样")
        self.group = QButtonGroup(self)
        self.group.addButton(self.all_button)
        self.group.addButton(self.sample_button)
        self.all_button.setChecked(True)
        self.pct = QDoubleSpinBox()
        self.pct.setRange(0.1, 100)
        self.pct.setDecimals(1)
        self.pct.setSingleStep(5)
        self.pct.setValue(30)
        self.pct.setSuffix(" %")
        self.pct.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.all_button)
        layout.addWidget(self.sample_button)
        layout.addWidget(self.pct)
        layout.addStretch(1)
        self.sample_button.toggled.connect(self._on_toggled)
        self.pct.valueChanged.connect(self.changed)

    @Slot(bool)
    def _on_toggled(self, sampled: bool) -> None:
        self.pct.setEnabled(sampled)
        self.changed.emit()

    def percent(self) -> float | None:
        return self.pct.value() if self.sample_button.isChecked() else None

    def set_percent(self, pct: float | None) -> None:
        if pct is None:
            self.all_button.setChecked(True)
        else:
            self.pct.setValue(pct)
            self.sample_button.setChecked(True)


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
        info_box = QGroupBox("轮次信息")
        form = QFormLayout(info_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("名称" + style.REQUIRED_MARK, self.name)
        form.addRow("类型", self.kind)
        form.addRow("监测时间点" + style.REQUIRED_MARK, self.as_of)
        form.addRow("检查时间段", period)
        form.addRow("指标体系", self.profile)
        form.addRow("备注", self.notes)

        self.sites_scope, self.accounts_scope = ScopeRow(), ScopeRow()
        self.stratify = QCheckBox("按地区分层抽样（每个地区各抽相同比例，至少 1 个）")
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
        scope = QFormLayout(scope_box)
        scope.addRow("网站", self.sites_scope)
        scope.addRow("新媒体", self.accounts_scope)
        scope.addRow("", self.stratify)
        scope.addRow("随机种子", seed_row)
        scope.addRow("回头看", self.recheck)

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
        self.skipped = QLabel()
        self.skipped.setWordWrap(True)
        self.skipped.setStyleSheet(style.WARNING)
        self.skipped.setVisible(False)
        preview_box = QGroupBox("抽样预览")
        pv = QVBoxLayout(preview_box)
        pv.addWidget(self.preview_status)
        pv.addWidget(self.counts_view)
        pv.addWidget(self.targets_view, 1)
        pv.addWidget(self.skipped)

        body = splitter(left_widget, preview_box, stretch=(2, 3), sizes=[430, 630], collapsible=False)
        self.message, self.buttons, self.ok_button = with_footer(self, body, "创建轮次")
        self.resize(1060, 620)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        for signal in (self.as_of.textChanged, self.sites_scope.changed, self.accounts_scope.changed,
                       self.stratify.toggled, self.seed.textChanged, self.recheck.currentIndexChanged):
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
            notes=self.notes.text().strip())

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
            rows.append((label, running, plan.count(kind, "全量"), plan.count(kind, "抽样"),
                         plan.count(kind, "回头看"), plan.count(kind)))
        self.counts_model.set_rows(COUNT_HEADERS, rows)
        self.targets_model.set_targets(plan.targets)
        self.preview_status.setStyleSheet(style.HINT)
        self.preview_status.setText(
            f"截至 {plan.as_of}：将纳入网站 {plan.count('site')} 个、新媒体 {plan.count('account')} 个"
            f"（种子 {plan.seed}）。")
        if plan.skipped:
            self.skipped.setText(f"回头看未纳入 {len(plan.skipped)} 个：" + "；".join(
                f"{s.name}（{s.reason}）" for s in plan.skipped[:8]) + ("…" if len(plan.skipped) > 8 else ""))
        self.skipped.setVisible(bool(plan.skipped))
        self._update_ok()
        self.preview_ready.emit(plan)

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
