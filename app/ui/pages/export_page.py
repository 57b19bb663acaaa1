"""The 导出 page: choose a round, its annexes and their options, preview every table, then
write the annex workbooks (and the circular draft) into a folder, in a worker.

GUI thread only; previews and exports run as workers (run_workers.py) on their own QThreads.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListView,
    QPlainTextEdit, QPushButton, QScrollArea, QStackedWidget, QVBoxLayout, QWidget,
)

from app.core.errors import GovInspectError
from app.core.exports import CircularOptions, ExportOptions, list_annexes
from app.core.office.xlsx import SheetStyle
from app.core.rounds import rounds

from ..parts import button, splitter, vbox
from ..run_workers import AnnexPreview, AnnexPreviewWorker, ExportRequest, RoundExportWorker
from ..style import ERROR, HINT, OK
from ..widgets.export_profile import CIRCULAR_LABELS, GENERAL_FIELDS, load_page_profile, page_profile, save_page_profile
from ..widgets.options_form import OptionsForm
from ..widgets.sheet_preview import SheetPreview
from ..workers import Jobs
from . import PageContext
from .page_parts import ClosesWithWindow, OneRound, Page, page_column, round_selector

STYLE_LABELS = {"text_font": "文字字体", "number_font": "数字字体"}
UNVERIFIED_WARNING = ("注意：本轮部分得分或合格判定用到了尚未对照原文核对的指标分值或评分规则。"
                      "导出的表格会附“待核对”脚注；正式印发前请在“指标体系”页核对。")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
_PREVIEW_DELAY_MS = 300
_DRAFT = "draft"


def default_folder() -> Path:
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs or Path.home()) / "政网巡检导出"


class ExportPage(ClosesWithWindow, OneRound, Page):
    exported = Signal(object)          # app.core.exports.ExportResult
    export_failed = Signal(str)
    preview_ready = Signal()
    jobs_class = Jobs                  # shutdown() waits for them
    layout_key, round_setting = "export", "export/round"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._settings = ctx.settings
        self._seq = 0
        self._previewing = False
        self._preview_dirty = False
        self._exporting = False
        self.preview: AnnexPreview | None = None
        self.last_result = None
        self._signature: list = []
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)


        self.round_combo, self.round_info, round_row = round_selector(self._on_round_changed)

        self.warning = QFrame()
        self.warning.setObjectName("exportWarning")
        self.warning.setStyleSheet("QFrame#exportWarning { border: 1px solid #f3d19e; background: #fef7e0; "
                                   "border-radius: 4px; }")
        self.warning_label = QLabel(UNVERIFIED_WARNING)
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #7a4a00;")
        w = QHBoxLayout(self.warning)
        w.setContentsMargins(10, 6, 10, 6)
        w.addWidget(self.warning_label)
        self.warning.hide()

        self.splitter = splitter(self._build_options(), self._build_preview(), stretch=(0, 1), sizes=[370, 900],
                                 collapsible=False)
        page_column(self, "导出", "通报附件（Excel）与通报草稿（Word/文本）", round_row, self.warning,
                    (self.splitter, 1), self._build_output())
        self.reload()

    # --- building ------------------------------------------------------------------------------
    def _build_options(self) -> QWidget:
        column = QVBoxLayout()
        column.setSpacing(8)
        self.family_boxes: dict[str, QGroupBox] = {}
        self.family_forms: dict[str, OptionsForm] = {}
        annexes = QLabel("附件")
        annexes.setStyleSheet("font-weight: bold; color: #3c4043;")
        column.addWidget(annexes)
        for fam in list_annexes():
            box = QGroupBox(fam.label)
            box.setCheckable(True)
            box.setChecked(fam.available)
            box.setEnabled(fam.available)
            box.setToolTip(fam.description if fam.available else (fam.note or fam.description))
            inner = QVBoxLayout(box)
            inner.setContentsMargins(10, 4, 10, 8)
            about = QLabel(fam.description)
            about.setWordWrap(True)
            about.setStyleSheet(HINT)
            inner.addWidget(about)
            if fam.options_type is not None:
                form = OptionsForm(fam.options_type)
                form.changed.connect(self._schedule_preview)
                inner.addWidget(form)
                self.family_forms[fam.key] = form
            box.toggled.connect(self._on_selection_changed)
            self.family_boxes[fam.key] = box
            column.addWidget(box)

        self.general_form = OptionsForm(ExportOptions, only=GENERAL_FIELDS)
        column.addWidget(self._form_box("标题、期间与写法", self.general_form))
        self.circular_form = OptionsForm(CircularOptions, labels=CIRCULAR_LABELS)
        self.circular_box = self._form_box("同时生成通报草稿（Word 和文本）", self.circular_form)
        self.circular_box.setCheckable(True)
        self.circular_box.setChecked(False)
        self.circular_box.toggled.connect(self._on_selection_changed)
        column.addWidget(self.circular_box)
        self.style_form = OptionsForm(SheetStyle, labels=STYLE_LABELS)
        column.addWidget(self._form_box("表格字体", self.style_form))
        column.addStretch(1)

        holder = QWidget()
        holder.setLayout(column)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(330)
        return scroll

    def _form_box(self, title: str, form: OptionsForm) -> QGroupBox:
        """A titled group holding one options form whose edits refresh the preview."""
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 4, 10, 8)
        form.changed.connect(self._schedule_preview)
        layout.addWidget(form)
        return box

    def _build_preview(self) -> QWidget:
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumContentsLength(34)
        self.sheet_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sheet_combo.currentIndexChanged.connect(self._on_sheet_changed)
        self.preview_status = QLabel()
        self.preview_status.setStyleSheet(HINT)
        top = QHBoxLayout()
        top.addWidget(QLabel("预览"))
        top.addWidget(self.sheet_combo)
        top.addSpacing(8)
        top.addWidget(self.preview_status, 1)

        self.sheet_preview = SheetPreview()
        self.draft_view = QPlainTextEdit()
        self.draft_view.setReadOnly(True)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("placeholderText")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.preview_stack = QStackedWidget()
        for w in (self.sheet_preview, self.draft_view, self.empty_label):
            self.preview_stack.addWidget(w)

        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(HINT)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.preview_stack, 1)
        layout.addWidget(self.notes_label)
        return box

    def _build_output(self) -> QWidget:
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("导出到哪个文件夹")
        self.folder_edit.setText(self._settings.value("export/folder") or str(default_folder()))
        browse = QPushButton("选择…")
        browse.clicked.connect(self._on_browse)
        load_profile = QPushButton("载入方案…")
        load_profile.setToolTip("载入导出方案（.json）：附件、标题、版式和通报草稿的设置；命令行 export --profile 读同一文件")
        load_profile.clicked.connect(self._on_load_profile)
        save_profile = QPushButton("保存方案…")
        save_profile.setToolTip("把当前的全部设置另存为导出方案（.json），供下次或命令行 export --profile 使用")
        save_profile.clicked.connect(self._on_save_profile)
        self.export_button = QPushButton("导出")
        self.export_button.setDefault(True)
        self.export_button.setMinimumWidth(96)
        self.export_button.clicked.connect(self.export)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("输出文件夹"))
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        row.addSpacing(12)
        row.addWidget(load_profile)
        row.addWidget(save_profile)
        row.addWidget(self.export_button)

        self.files_model = QStandardItemModel(self)
        self.files_view = QListView()
        self.files_view.setModel(self.files_model)
        self.files_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files_view.setMaximumHeight(104)
        self.files_view.setToolTip("双击打开文件")
        self.files_view.doubleClicked.connect(self._on_file_double_clicked)
        self.open_folder_button = button("打开文件夹", self.open_folder)
        results_side = vbox(self.open_folder_button, None)
        self.results = QGroupBox("已写入的文件")
        r = QHBoxLayout(self.results)
        r.setContentsMargins(10, 4, 10, 8)
        r.addWidget(self.files_view, 1)
        r.addLayout(results_side)
        self.results.hide()

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.results)
        return box

    # --- rounds --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the rounds (after imports and demo loads, and when the page is shown)."""
        found = rounds.list_rounds(self._db)
        # Unchanged rounds (and counts) keep the preview; anything else builds it again.
        signature = [(r.id, r.name, r.as_of, r.status, r.site_count, r.account_count, r.finding_count,
                      r.confirmed_count) for r in found]
        if signature == self._signature and self.preview is not None:
            return
        self._signature = signature
        self._fill_rounds(found)

    @Slot()
    def _on_round_changed(self) -> None:
        rid = self.round_id()
        self.results.hide()
        self.status_label.clear()
        if rid is None:
            self.preview = None
            self.sheet_combo.clear()
            self.warning.hide()
            self.round_info.clear()
            self.empty_label.setText("还没有检查轮次。\n请先在“检查轮次”页建立检查轮次，完成检查和审核后再导出。")
            self.preview_stack.setCurrentWidget(self.empty_label)
            self._update_buttons()
            return
        self._remember_round(rid)
        r = rounds.get_round(self._db, rid)
        pending = r.finding_count - r.confirmed_count
        span = f"{r.period_from} 至 {r.period_to or r.as_of}" if r.period_from else f"监测时间点 {r.as_of}"
        info = (f"{r.kind} · {span} · 网站 {r.site_count} 个、新媒体 {r.account_count} 个 · "
                f"已确认问题 {r.confirmed_count} 条")
        if pending:
            info += f"，另有 {pending} 条未确认（只计入已确认的问题）"
        self.round_info.setText(info)
        self.refresh_preview()

    # --- the request -----------------------------------------------------------------------------
    def families(self) -> list[str]:
        return [key for key, box in self.family_boxes.items() if box.isChecked()]

    def request(self) -> ExportRequest | None:
        rid = self.round_id()
        if rid is None:
            return None
        profile = page_profile(self)
        return ExportRequest(rid, tuple(profile.families), profile.options, profile.circular,
                             profile.circular_options if profile.circular else None)

    def form_problems(self) -> dict[str, str]:
        self.circular_form.value()
        self.general_form.value()
        problems = dict(self.general_form.problems)
        return {**problems, **self.circular_form.problems} if self.circular_box.isChecked() else problems

    # --- export profiles -------------------------------------------------------------------------
    def load_profile(self, path) -> bool:
        try:
            load_page_profile(self, path)
        except GovInspectError as exc:
            self._status(f"无法载入导出方案：{exc}", ERROR)
            return False
        self._settings.setValue("export/profile", str(path))
        self._update_buttons()
        self._status(f"已载入导出方案：{Path(path).name}", OK)
        return True

    def save_profile(self, path) -> Path:
        saved = save_page_profile(self, path)
        self._settings.setValue("export/profile", str(saved))
        self._status(f"已保存导出方案：{saved}", OK)
        return saved

    @Slot()
    def _on_load_profile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "载入导出方案", self._settings.value("export/profile") or "",
                                              "导出方案 (*.json)")
        if path:
            self.load_profile(path)

    @Slot()
    def _on_save_profile(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存导出方案", self._settings.value("export/profile") or
                                              "导出方案.json", "导出方案 (*.json)")
        if path:
            self.save_profile(path)

    # --- preview -------------------------------------------------------------------------------
    @Slot()
    def _schedule_preview(self) -> None:
        self._timer.start()

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_buttons()
        self._schedule_preview()

    @Slot()
    def refresh_preview(self) -> None:
        """Build every table (and the draft) in a worker; a change meanwhile triggers one more.

        Only while the page is shown: scoring a big round costs time nobody should wait for
        at start-up. showEvent() catches up."""
        self._timer.stop()
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        if self._previewing:
            self._preview_dirty = True
            return
        request = self.request()
        if request is None:
            return
        problems = self.form_problems()
        if problems:
            self.preview_status.setText("；".join(problems.values()))
            self.preview_status.setStyleSheet(ERROR)
            return
        self._seq += 1
        self._previewing, self._preview_dirty = True, False
        self.preview_status.setStyleSheet(HINT)
        self.preview_status.setText("正在生成预览…")
        self._jobs.start(AnnexPreviewWorker(self._ctx.db_path, request, self._seq), self._on_preview_ready,
                         self._on_preview_failed)

    def _preview_current(self) -> bool:
        """A preview worker has ended: False when the form changed meanwhile (the next preview starts)."""
        self._previewing = False
        if self._preview_dirty:
            self.refresh_preview()
            return False
        return True

    @Slot(object)
    def _on_preview_ready(self, preview: AnnexPreview) -> None:
        if not self._preview_current() or preview.round_id != self.round_id():
            return
        self.preview = preview
        current = self.sheet_combo.currentData()
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for a_i, annex in enumerate(preview.annexes):
            for s_i, (sheet, table) in enumerate(annex.sheets):
                label = f"附件{annex.number} {table.title}" if len(annex.sheets) == 1 \
                    else f"附件{annex.number} {annex.title} · {sheet}"
                self.sheet_combo.addItem(label, (annex.key, sheet))
                self.sheet_combo.setItemData(self.sheet_combo.count() - 1, annex.filename,
                                             Qt.ItemDataRole.ToolTipRole)
        if preview.draft is not None:
            self.sheet_combo.addItem("通报草稿", _DRAFT)
        at = self.sheet_combo.findData(current) if current is not None else -1
        self.sheet_combo.setCurrentIndex(at if at >= 0 else (0 if self.sheet_combo.count() else -1))
        self.sheet_combo.blockSignals(False)
        self._on_sheet_changed()
        self.warning.setVisible(preview.unverified)
        notes = list(preview.notes) + list(preview.draft_notes)
        self.notes_label.setText("\n".join(f"说明：{n}" for n in notes))
        self.notes_label.setVisible(bool(notes))
        n = sum(len(a.sheets) for a in preview.annexes)
        self.preview_status.setText(f"{len(preview.annexes)} 个附件、{n} 张表" +
                                    ("，含通报草稿" if preview.draft is not None else "") +
                                    "（导出前预览，尚未写入文件）")
        self._update_buttons()
        self.preview_ready.emit()

    @Slot(str)
    def _on_preview_failed(self, message: str) -> None:
        if not self._preview_current():
            return
        self.preview = None
        self.sheet_combo.clear()
        self.preview_status.setText("")
        self.empty_label.setText(f"无法生成预览：{message}")
        self.preview_stack.setCurrentWidget(self.empty_label)
        self._update_buttons()
        self.preview_ready.emit()

    @Slot()
    def _on_sheet_changed(self) -> None:
        key = self.sheet_combo.currentData()
        if self.preview is None or key is None:
            self.empty_label.setText("没有选择任何附件。\n请在左侧勾选要生成的附件，或勾选通报草稿。")
            self.preview_stack.setCurrentWidget(self.empty_label)
            return
        if key == _DRAFT:
            self.draft_view.setPlainText("\n".join(self.preview.draft or []))
            self.preview_stack.setCurrentWidget(self.draft_view)
            return
        table = self.table_for(*key)
        self.sheet_preview.set_table(table)
        self.preview_stack.setCurrentWidget(self.sheet_preview)

    def table_for(self, annex_key: str, sheet: str):
        for annex in (self.preview.annexes if self.preview else []):
            if annex.key == annex_key:
                for name, table in annex.sheets:
                    if name == sheet:
                        return table
        return None

    def show_table(self, annex_key: str, sheet: str | None = None) -> bool:
        for i in range(self.sheet_combo.count()):
            data = self.sheet_combo.itemData(i)
            if isinstance(data, tuple) and data[0] == annex_key and (sheet is None or data[1] == sheet):
                self.sheet_combo.setCurrentIndex(i)
                return True
        return False

    # --- export --------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        has_any = bool(self.families()) or self.circular_box.isChecked()
        self.export_button.setEnabled(self.round_id() is not None and has_any and not self._exporting)

    @Slot()
    def _on_browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择输出文件夹", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def output_folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        return Path(text).expanduser() if text else None

    @Slot()
    def export(self) -> None:
        request, folder = self.request(), self.output_folder()
        if request is None or self._exporting:
            return
        if folder is None:
            self._status("请先选择输出文件夹。", ERROR)
            return
        if not request.families and not request.circular:
            self._status("没有选择任何附件。", ERROR)
            return
        problems = self.form_problems()
        if problems:
            self._status("；".join(problems.values()), ERROR)
            return
        self._settings.setValue("export/folder", str(folder))
        self._export_folder = folder
        self._exporting = True
        self._update_buttons()
        self.results.hide()
        self._status("正在导出…", HINT)
        worker = RoundExportWorker(self._ctx.db_path, request, folder)
        worker.progress.connect(self._on_export_progress)
        self._jobs.start(worker, self._on_exported, self._on_export_failed)

    @Slot(int, int, str)
    def _on_export_progress(self, done: int, total: int, name: str) -> None:
        if name:
            self._status(f"正在写入 {name}（{done + 1}/{total}）…", HINT)

    @Slot(object)
    def _on_exported(self, result) -> None:
        self._exporting = False
        self.last_result = result
        self.files_model.clear()
        for path in result.paths:
            item = QStandardItem(Path(path).name)
            item.setData(str(path), PATH_ROLE)
            item.setToolTip(str(path))
            item.setEditable(False)
            self.files_model.appendRow(item)
        self.results.setTitle(f"已写入的文件（{self._export_folder}）")
        self.results.setVisible(bool(result.paths))
        # The notes (annexes left out …) are the preview's, shown under it already.
        if result.paths:
            self._status(f"导出完成：已写入 {len(result.paths)} 个文件。双击文件名可打开。", OK)
        else:
            self._status("没有生成任何文件：" + "；".join(result.notes), HINT)
        self._update_buttons()
        self.exported.emit(result)

    @Slot(str)
    def _on_export_failed(self, message: str) -> None:
        self._exporting = False
        self._status(f"导出失败：{message}", ERROR)
        self._update_buttons()
        self.export_failed.emit(message)

    def _status(self, text: str, style: str) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(style)

    def written_files(self) -> list[str]:
        return [self.files_model.item(r).data(PATH_ROLE) for r in range(self.files_model.rowCount())]

    @Slot()
    def open_folder(self) -> None:
        folder = getattr(self, "_export_folder", None) or self.output_folder()
        if folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    @Slot()
    def _on_file_double_clicked(self, index) -> None:
        path = index.data(PATH_ROLE)
        if path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    # --- lifetime ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        self._timer.stop()
        self._jobs.wait_all()

    def showEvent(self, event) -> None:
        super().showEvent(event)     # ClosesWithWindow: watch the window
        self.reload()
        if self._stale:
            self.refresh_preview()

    def _layout(self) -> dict:
        return {"splitter": self.splitter}
