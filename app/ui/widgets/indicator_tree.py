"""An indicator profile as tree nodes, the text of its numbers, and a picker of one item."""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from app.core.rounds.profiles import Profile, ProfileItem

from ..parts import make_current
from ..table_models.node_tree_model import NodeTreeModel, TreeNode

UNVERIFIED = "待核对"
AMBER = "#a15c00"
MUTED = "#80868b"


def fmt_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def points_text(item: ProfileItem) -> str:
    """'8分 · 每个0.5' — the item's numbers in one short line."""
    if item.kind == "veto":
        return "否决" if item.level <= 1 else ""
    if item.kind == "group":
        return "不计分" if item.level == 0 else ""
    parts = []
    if item.points is not None:
        parts.append(f"{fmt_number(item.points)}分")
    if item.per_occurrence is not None:
        parts.append(f"每{item.unit or '次'}{fmt_number(item.per_occurrence)}")
    if item.cap is not None:
        parts.append(f"上限{fmt_number(item.cap)}")
    return " · ".join(parts)


class IndicatorPicker(QWidget):
    """Search box over the items of one profile; parts (level 0) cannot be chosen."""

    item_chosen = Signal(str)           # indicator id (empty when nothing is chosen)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._profile: Profile | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索指标名称或编号…")
        self.search.setClearButtonEnabled(True)
        self.model = NodeTreeModel(("指标", "分值"), self)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.header().setStretchLastSection(False)
        self.view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(1, 110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        self.search.textChanged.connect(self._rebuild)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

    def set_profile(self, profile: Profile | None) -> None:
        self._profile = profile
        self._rebuild()

    def _rebuild(self, *_args) -> None:
        keep = self.chosen_id()
        terms = [t for t in self.search.text().lower().split() if t]
        roots = []
        for part in (self._profile.items if self._profile else ()):
            node = self._node(part, terms)
            if node is not None:
                roots.append(node)
        self.model.set_roots(roots)
        if terms:
            self.view.expandAll()
        else:
            self.view.expandToDepth(0)
        if keep:
            self.choose(keep)

    def _node(self, item: ProfileItem, terms: list[str]) -> TreeNode | None:
        kids = [n for n in (self._node(c, terms) for c in item.children) if n is not None]
        hay = f"{item.id} {item.name}".lower()
        if terms and not kids and not all(t in hay for t in terms):
            return None
        node = TreeNode((item.name, points_text(item)), key=item.id, kind="part" if item.level == 0 else "item",
                        bold=item.level == 0, selectable=item.level > 0, tooltip=f"{item.id}\n{item.name}",
                        colors={1: MUTED})
        node.children = kids
        return node

    def chosen_id(self) -> str:
        index = self.view.selectionModel().currentIndex() if self.view.selectionModel() else None
        if index is None or not index.isValid() or not self.view.selectionModel().isSelected(index):
            return ""
        node = self.model.node(index)
        return node.key if node is not None and node.kind == "item" else ""

    def choose(self, item_id: str) -> bool:
        return make_current(self.view, self.model.index_for_key(item_id))

    @Slot()
    def _on_current_changed(self, *_args) -> None:
        self.item_chosen.emit(self.chosen_id())
