"""The 指标体系 page: edit a profile's numbers and thresholds, confirm 待核对 values, save
(the version goes up), and exchange profiles as .xlsx.

Edits stay in memory per profile until 保存; confirming a value is an edit (the core marks
an item verified whenever it is changed or confirmed).
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFrame, QHeaderView, QLabel, QMessageBox, QScrollArea, QSplitter, QStackedWidget,
    QWidget,
)

from app.core.rounds import profiles as pf
from app.core.errors import GovInspectError, ValidationError

from .. import style
from ..parts import button, hbox, make_current, open_file, tree_view
from ..scoring_workers import ProfileExportWorker, ProfileImportWorker, problems_text
from ..table_models.node_tree_model import KEY_ROLE, KIND_ROLE, NodeTreeModel, TreeNode
from ..table_models.params_model import value_text
from ..widgets.indicator_tree import AMBER, MUTED, UNVERIFIED, fmt_number
from ..widgets.profile_forms import ItemForm, RuleForm
from . import PageContext
from .page_parts import MessageLine, Page, page_column, show_dialog

TREE_HEADERS = ("指标", "类型", "分值", "单项上限", "每次", "单位", "核对")
RULES_KEY = "__rules__"


def _rule_short(value) -> str:
    """A rule's value in the tree: 是/否 for switches, the number, or the start of the JSON."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "无"
    return value_text(value)[:24]


class ProfilesPage(Page):
    saved = Signal(object)              # Profile as stored
    imported = Signal(object)           # Profile as stored
    import_failed = Signal(str)
    exported = Signal(object)           # Path
    export_failed = Signal(str)
    layout_key = "profiles"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self._saved: dict[str, pf.Profile] = {}
        self._edited: dict[str, pf.Profile] = {}
        self._origin: dict[str, str] = {}
        self._loading = False

        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(30)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unverified_label = QLabel()
        self.import_button = button("导入 Excel…", self._on_import_clicked,
                                    "从 .xlsx 导入规则集（格式与“导出 Excel”相同），导入后即保存")
        self.export_button = button("导出 Excel…", self._on_export_clicked,
                                    "把当前规则集（含未保存的修改）导出为 .xlsx，便于对照正式文件核对")
        top = hbox(QLabel("规则集"), (self.combo, 2), 10, (self.unverified_label, 1), self.import_button,
                   self.export_button)

        self.tree_model = NodeTreeModel(TREE_HEADERS, self)
        self.tree = tree_view(self.tree_model)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((0, 64, 48, 64, 48, 48, 56)):
            if col:
                self.tree.setColumnWidth(col, width)
        self.tree.selectionModel().currentChanged.connect(self._on_node_selected)

        self.detail = QStackedWidget()
        self.detail.addWidget(self._build_empty_detail())
        self.item_form, self.rule_form = ItemForm(), RuleForm()
        for form in (self.item_form, self.rule_form):
            form.edited.connect(self._on_form_edited)
            form.confirm_requested.connect(self.confirm_current)
            form.revert_requested.connect(self._show_current)
            self.detail.addWidget(form)
        self.detail.setMinimumWidth(320)
        scroll = QScrollArea()                 # the form is tall: scroll rather than force a tall window
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.detail)
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        self.dirty_label = QLabel()
        self.dirty_label.setStyleSheet(style.WARNING)
        self.discard_button = button("放弃修改", self.discard)
        self.save_button = button("保存", self.save, "保存修改；版本号自动加一，已建立的轮次仍使用建立时的版本")
        self.save_button.setDefault(True)
        self.message = MessageLine()
        bottom = hbox((self.message, 1), self.dirty_label, self.discard_button, self.save_button)
        page_column(self, "指标体系", "分值、上限与阈值；待核对的数值须对照正式文件确认", top, (splitter, 1), bottom)

        self.combo.currentIndexChanged.connect(self._on_profile_changed)
        self.reload()

    # --- building -------------------------------------------------------------------------------------
    def _build_empty_detail(self) -> QWidget:
        label = QLabel("在左侧选择一个指标或评分规则，查看和修改它的数值。")
        label.setStyleSheet(style.HINT)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label

    # --- profiles -------------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read every profile (unsaved edits are kept)."""
        keep = self.profile_id()
        # Websites first: their profile is the one with numbers to check.
        infos = sorted(pf.list_profiles(self._db), key=lambda i: (i.set_id, i.target_type != "site", i.id))
        everything = pf.all_profiles(self._db)
        self._saved = {i.id: everything[i.id] for i in infos}
        self._origin = {i.id: i.origin for i in infos}
        self._edited = {k: v for k, v in self._edited.items() if k in self._saved}
        self._fill_combo(keep)

    def _fill_combo(self, keep: str | None) -> None:
        self._loading = True
        self.combo.clear()
        for pid, p in self._saved.items():
            self.combo.addItem(self._combo_text(pid), pid)
        at = self.combo.findData(keep) if keep else 0
        self.combo.setCurrentIndex(max(at, 0))
        self._loading = False
        self._on_profile_changed()

    def _combo_text(self, pid: str) -> str:
        p = self._saved[pid]
        dirty = "·有未保存的修改" if pid in self._edited else ""
        return f"{p.name}（{pid}，版本 {p.version}，{self._origin.get(pid, '')}{dirty}）"

    def profile_id(self) -> str | None:
        return self.combo.currentData()

    @property
    def profile(self) -> pf.Profile | None:
        pid = self.profile_id()
        if pid is None:
            return None
        return self._edited.get(pid) or self._saved.get(pid)

    @Slot()
    def _on_profile_changed(self, *_args) -> None:
        if self._loading:
            return
        p = self.profile
        first = next(iter(pf.unverified_items(p)), None) if p is not None else None
        self._rebuild_tree(keep=first.id if first is not None and first.level > 0 else None)

    def _rebuild_tree(self, keep) -> None:
        p = self.profile
        roots = []
        if p is not None:
            roots = [self._item_node(part) for part in p.items]
            rules = TreeNode(("评分规则", "", "", "", "", "", ""), key=RULES_KEY, kind="rules", bold=True,
                             selectable=False)
            for r in p.rules:
                rules.add(TreeNode((pf.RULE_ZH.get(r.key, r.key), "规则", _rule_short(r.value), "", "", "",
                                    "" if r.verified else UNVERIFIED), key=("rule", r.key), kind="rule",
                                   colors={1: MUTED, 2: MUTED, 6: AMBER}, tooltip=f"{r.key}\n{value_text(r.value)}"))
            roots.append(rules)
        self.tree_model.set_roots(roots)
        self.tree.expandToDepth(1)
        self._show_counts()
        if keep is not None and self.select_key(keep):
            return
        self.detail.setCurrentIndex(0)

    def _item_node(self, item: pf.ProfileItem) -> TreeNode:
        node = TreeNode((item.name, pf.KIND_ZH.get(item.kind, item.kind), fmt_number(item.points),
                         fmt_number(item.cap), fmt_number(item.per_occurrence), item.unit,
                         "" if item.verified else UNVERIFIED),
                        key=item.id, kind="part" if item.level == 0 else "item", bold=item.level == 0,
                        colors={1: MUTED, 6: AMBER}, tooltip=f"{item.id}\n{item.name}")
        node.children = [self._item_node(c) for c in item.children]
        return node

    def _show_counts(self) -> None:
        p = self.profile
        if p is None:
            self.unverified_label.setText("")
            return
        items, rules = len(pf.unverified_items(p)), len(pf.unverified_rules(p))
        if items + rules:
            self.unverified_label.setStyleSheet(f"color: {AMBER}; font-weight: bold;")
            self.unverified_label.setText(f"待核对 {items + rules} 项（指标 {items} 项，评分规则 {rules} 项）")
        else:
            self.unverified_label.setStyleSheet(style.OK)
            self.unverified_label.setText("全部数值已核对")
        dirty = self.profile_id() in self._edited
        self.dirty_label.setText("有未保存的修改" if dirty else "")
        self.save_button.setEnabled(dirty)
        self.discard_button.setEnabled(dirty)
        at = self.combo.currentIndex()
        if at >= 0:
            self.combo.setItemText(at, self._combo_text(self.profile_id()))

    # --- selection and forms ----------------------------------------------------------------------------
    def select_key(self, key) -> bool:
        if not make_current(self.tree, self.tree_model.index_for_key(key)):
            return False
        self._show_current()
        return True

    def current_key(self):
        index = self.tree.currentIndex()
        return index.siblingAtColumn(0).data(KEY_ROLE) if index.isValid() else None

    @Slot()
    def _on_node_selected(self, *_args) -> None:
        self._show_current()

    @Slot()
    def _show_current(self) -> None:
        index = self.tree.currentIndex()
        kind = index.siblingAtColumn(0).data(KIND_ROLE) if index.isValid() else None
        key = self.current_key()
        p = self.profile
        self._loading = True
        try:
            if kind in ("item", "part") and p is not None and p.item(key) is not None:
                self.item_form.fill(p.item(key))
                self.detail.setCurrentIndex(1)
            elif kind == "rule" and p is not None and p.rule(key[1]) is not None:
                self.rule_form.fill(p.rule(key[1]))
                self.detail.setCurrentIndex(2)
            else:
                self.detail.setCurrentIndex(0)
        finally:
            self._loading = False
        self._on_form_edited()

    def form_dirty(self) -> bool:
        key, p = self.current_key(), self.profile
        if p is None or key is None:
            return False
        if self.detail.currentIndex() == 1:
            try:
                return bool(self.item_form.changes(p.item(key)))
            except ValueError:
                return True
        if self.detail.currentIndex() == 2:
            return self.rule_form.text() != RuleForm.value_text(p.rule(key[1]))
        return False

    @Slot()
    def _on_form_edited(self, *_args) -> None:
        if self._loading:
            return
        dirty = self.form_dirty()
        p, key = self.profile, self.current_key()
        verified = True
        if p is not None and key is not None:
            node = p.rule(key[1]) if isinstance(key, tuple) else p.item(key)
            verified = bool(node and node.verified)
        for form in (self.item_form, self.rule_form):
            form.show_dirty(dirty, verified)

    @Slot()
    def confirm_current(self) -> bool:
        """Apply the form (if changed) to the current item or rule and mark it verified."""
        p, key = self.profile, self.current_key()
        if p is None or key is None:
            return False
        try:
            if isinstance(key, tuple):
                rule = p.rule(key[1])
                text = self.rule_form.text()
                if text != RuleForm.value_text(rule):
                    try:
                        value = json.loads(text)
                    except ValueError:
                        raise ValidationError({pf.RULE_ZH.get(rule.key, rule.key): "不是有效的 JSON 值"}) from None
                    new = pf.edit_rule(p, rule.key, value)
                else:
                    new = pf.edit_rule(p, rule.key)
            else:
                try:
                    changes = self.item_form.changes(p.item(key))
                except ValueError as exc:
                    raise ValidationError({p.item(key).name: str(exc)}) from None
                new = pf.edit_item(p, key, **changes)
        except ValidationError as exc:
            self.message.show_message(problems_text(exc).replace("\n", "；"), "error")
            return False
        self._edited[p.id] = new
        self._rebuild_tree(keep=key)
        self.message.show_message("已确认。保存后生效。", "ok", 5000)
        return True

    # --- save / discard -------------------------------------------------------------------------------------
    @Slot()
    def save(self) -> pf.Profile | None:
        pid = self.profile_id()
        edited = self._edited.get(pid)
        if edited is None:
            return None
        old = self._saved[pid].version
        try:
            stored = pf.save_profile(self._db, edited)
        except ValidationError as exc:
            self.message.show_message(problems_text(exc).replace("\n", "；"), "error")
            return None
        except GovInspectError as exc:
            self.message.show_message(str(exc), "error")
            return None
        del self._edited[pid]
        self._saved[pid] = stored
        if self._origin.get(pid) == "内置":
            self._origin[pid] = "内置（已修改）"
        self._rebuild_tree(keep=self.current_key())
        self.message.show_message(f"已保存：版本 {old} → {stored.version}。新建的轮次将使用新版本。", "ok", 10000)
        self.saved.emit(stored)
        return stored

    @Slot()
    def discard(self) -> None:
        pid = self.profile_id()
        if self._edited.pop(pid, None) is not None:
            self._rebuild_tree(keep=self.current_key())
            self.message.show_message("已放弃未保存的修改。", "ok", 5000)

    # --- xlsx -------------------------------------------------------------------------------------------------
    @Slot()
    def _on_export_clicked(self) -> None:
        p = self.profile
        if p is None:
            return
        default = Path.home() / f"{p.id}-{p.version}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出规则集", str(default), "Excel 工作簿 (*.xlsx)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        p = self.profile
        if p is None:
            return
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        self._jobs.start(ProfileExportWorker(self._ctx.db_path, p, path), self._on_exported, self._on_export_failed,
                         busy=self.export_button, note="正在导出…", kind="ok")

    @Slot(object)
    def _on_exported(self, path) -> None:
        self.message.show_message(f"已导出到 {path}", "ok", 10000)
        self.exported.emit(path)

    @Slot(str)
    def _on_export_failed(self, message: str) -> None:
        self.message.show_message(f"导出失败：{message}", "error")
        self.export_failed.emit(message)

    @Slot()
    def _on_import_clicked(self) -> None:
        if path := open_file(self, "导入规则集", "Excel 工作簿 (*.xlsx)", str(Path.home())):
            self.import_from(path)

    def import_from(self, path: Path) -> None:
        self._jobs.start(ProfileImportWorker(self._ctx.db_path, path), self._on_imported, self._on_import_failed,
                         busy=self.import_button, note=f"正在导入 {Path(path).name}…", kind="ok")

    @Slot(object)
    def _on_imported(self, profile: pf.Profile) -> None:
        self._edited.pop(profile.id, None)
        self.reload()
        at = self.combo.findData(profile.id)
        if at >= 0:
            self.combo.setCurrentIndex(at)
        self.message.show_message(f"已导入并保存规则集“{profile.name}”，版本 {profile.version}。", "ok", 10000)
        self.imported.emit(profile)

    @Slot(str)
    def _on_import_failed(self, message: str) -> None:
        first, _, rest = message.partition("\n")
        self.message.show_message("导入失败：" + first, "error")
        box = QMessageBox(QMessageBox.Icon.Warning, "导入失败", first, QMessageBox.StandardButton.Ok, self)
        box.button(QMessageBox.StandardButton.Ok).setText("确定")
        if rest:
            box.setInformativeText(rest)
        show_dialog(self, "last_message", box)
        self.import_failed.emit(message)

    def _layout(self) -> dict:
        return {"splitter": self.splitter}
