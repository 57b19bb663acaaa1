"""Add a manual finding (人工): target, indicator item from the round's profile tree, evidence."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QCompleter, QDialog, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QSpinBox,
)

from app.core.rounds import findings, rounds
from app.core.errors import GovInspectError, ValidationError
from app.core.rounds.round_scores import profiles_for_round

from .. import style
from ..parts import form, panel, splitter
from ..table_models.rounds_model import TYPE_ZH
from ..widgets.indicator_tree import IndicatorPicker
from .dialog_parts import with_footer

MANUAL_STATUSES = ("确认", "待审核", "存疑")


class FindingDialog(QDialog):
    added = Signal(int, int)            # finding id, target id

    @classmethod
    def open_for(cls, page, db, round_id: int, target_id: int | None, indicator_id: str, on_added) -> FindingDialog:
        """Open (window-modal, deleted on close) over ``page``, kept as ``page.finding_dialog``."""
        dialog = cls(db, round_id, target_id, indicator_id, page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(on_added)
        page.finding_dialog = dialog
        dialog.open()
        return dialog

    def __init__(self, db, round_id: int, target_id: int | None = None, indicator_id: str = "", parent=None):
        super().__init__(parent)
        self._db, self.round_id = db, round_id
        rnd = rounds.get_round(db, round_id)
        self.setWindowTitle(f"添加问题—{rnd.name}")
        self._profiles = profiles_for_round(db, round_id)
        self._targets = rounds.round_targets(db, round_id)
        self.finding_id: int | None = None

        self.target = QComboBox()
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for t in self._targets:
            self.target.addItem(f"{t.name}（{TYPE_ZH[t.target_type]} · {t.target_key} · {t.region_name or '未填地区'}）",
                                t.id)
        completer = self.target.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.picker = IndicatorPicker()
        self.picker.setMinimumWidth(380)
        self.count = QSpinBox()
        self.count.setRange(1, 100000)
        self.status = QComboBox()
        for s in MANUAL_STATUSES:
            self.status.addItem(s, s)
        self.status.setToolTip("人工发现的问题一般直接确认；拿不准时选“存疑”")
        self.url = QLineEdit()
        self.url.setPlaceholderText("问题所在网址，如 https://www.example.gov.cn/xxgk/…")
        self.page = QLineEdit()
        self.page.setPlaceholderText("页面标题或栏目，可留空")
        self.detail = QPlainTextEdit()
        self.detail.setPlaceholderText("问题描述，如：政策文件缺少发文字号")
        self.detail.setTabChangesFocus(True)
        self.detail.setFixedHeight(58)
        self.evidence = QPlainTextEdit()
        self.evidence.setPlaceholderText("证据文字：页面原文、错误内容等，可留空")
        self.evidence.setTabChangesFocus(True)
        self.evidence.setFixedHeight(72)
        self.screenshot = QLineEdit()
        self.screenshot.setPlaceholderText("截图文件，可留空")
        browse = QPushButton("选择…")
        browse.clicked.connect(self._on_browse)
        shot = QHBoxLayout()
        shot.addWidget(self.screenshot, 1)
        shot.addWidget(browse)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)

        fields = form(("检查对象" + style.REQUIRED_MARK, self.target), ("指标" + style.REQUIRED_MARK, self.chosen),
                      ("数量", self.count), ("状态", self.status), ("链接", self.url), ("页面", self.page),
                      ("问题描述", self.detail), ("证据文字", self.evidence), ("截图", shot))
        body = splitter(self.picker, panel(fields, None), stretch=(1, 1), collapsible=False)
        self.message, self.buttons, self.ok_button = with_footer(self, body, "添加")
        self.resize(980, 560)

        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.picker.item_chosen.connect(self._on_item_chosen)
        at = self.target.findData(target_id) if target_id is not None else 0
        self.target.setCurrentIndex(max(at, 0))
        self._on_target_changed()
        if indicator_id:
            self.picker.choose(indicator_id)
        self._on_item_chosen(self.picker.chosen_id())

    def target_id(self) -> int | None:
        return self.target.currentData()

    def _target(self):
        tid = self.target_id()
        return next((t for t in self._targets if t.id == tid), None)

    @Slot()
    def _on_target_changed(self, *_args) -> None:
        t = self._target()
        self.picker.set_profile(self._profiles.get(t.target_type) if t else None)
        self._on_item_chosen(self.picker.chosen_id())

    @Slot(str)
    def _on_item_chosen(self, item_id: str) -> None:
        t = self._target()
        profile = self._profiles.get(t.target_type) if t else None
        item = profile.item(item_id) if profile and item_id else None
        if item is None:
            self.chosen.setStyleSheet(style.HINT)
            self.chosen.setText("在左侧指标体系中选择一项")
        else:
            self.chosen.setStyleSheet("")
            self.chosen.setText(f"{item.name}（{item.id}）")
        self.ok_button.setEnabled(item is not None and t is not None)

    @Slot()
    def _on_browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择截图", str(Path.home()),
                                              "图片 (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;所有文件 (*)")
        if path:
            self.screenshot.setText(path)

    def accept(self) -> None:
        item_id, tid = self.picker.chosen_id(), self.target_id()
        if not item_id or tid is None:
            return
        try:
            self.finding_id = findings.add_finding(
                self._db, self.round_id, tid, item_id, kind="manual", source="人工",
                status=self.status.currentData(), count=self.count.value(), url=self.url.text().strip(),
                page=self.page.text().strip(), detail=self.detail.toPlainText().strip(),
                evidence_text=self.evidence.toPlainText().strip(), screenshot_path=self.screenshot.text().strip())
        except ValidationError as exc:
            self.message.setStyleSheet(style.ERROR)
            self.message.setText("；".join(f"{k}：{v}" for k, v in exc.problems.items()))
            return
        except GovInspectError as exc:
            self.message.setStyleSheet(style.ERROR)
            self.message.setText(str(exc))
            return
        self.added.emit(self.finding_id, tid)
        super().accept()
