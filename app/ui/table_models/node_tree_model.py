"""A read-only tree of plain nodes (indicator trees, scorecards): rebuilt by a model reset.

Nodes are built in one go by the page and not changed afterwards, so the model never
touches the database; a tree of a few hundred nodes rebuilds in well under 10 ms.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont

KEY_ROLE = Qt.ItemDataRole.UserRole + 3        # what the node stands for (item id, finding id …)
KIND_ROLE = Qt.ItemDataRole.UserRole + 4       # "part", "item", "finding", "rule" …


@dataclass(eq=False)
class TreeNode:
    texts: tuple[str, ...]
    key: object = None
    kind: str = ""
    colors: dict[int, str] = field(default_factory=dict)      # column -> foreground colour
    bold: bool = False
    tooltip: str = ""
    selectable: bool = True
    expand: bool = False                                       # a view may open it initially
    children: list["TreeNode"] = field(default_factory=list)
    parent: "TreeNode | None" = field(default=None, repr=False)
    row: int = 0

    def add(self, child: "TreeNode") -> "TreeNode":
        self.children.append(child)
        return child

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class NodeTreeModel(QAbstractItemModel):
    def __init__(self, headers: tuple[str, ...], parent: QObject | None = None):
        super().__init__(parent)
        self._headers = tuple(headers)
        self._roots: list[TreeNode] = []
        self._by_key: dict[object, TreeNode] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes: dict[str, QColor] = {}

    def set_roots(self, roots: list[TreeNode]) -> None:
        self.beginResetModel()
        self._roots = list(roots)
        self._by_key = {}
        for row, node in enumerate(self._roots):
            self._link(node, None, row)
        self.endResetModel()

    def _link(self, node: TreeNode, parent: TreeNode | None, row: int) -> None:
        node.parent, node.row = parent, row
        if node.key is not None:
            self._by_key.setdefault(node.key, node)
        for i, child in enumerate(node.children):
            self._link(child, node, i)

    @property
    def roots(self) -> list[TreeNode]:
        return self._roots

    def node(self, index: QModelIndex) -> TreeNode | None:
        return index.internalPointer() if index.isValid() else None

    def node_for_key(self, key) -> TreeNode | None:
        return self._by_key.get(key)

    def index_for_key(self, key, column: int = 0) -> QModelIndex:
        node = self._by_key.get(key)
        return self.createIndex(node.row, column, node) if node is not None else QModelIndex()

    # --- Qt interface ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        siblings = parent.internalPointer().children if parent.isValid() else self._roots
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        if 0 <= row < len(siblings) and 0 <= column < len(self._headers):
            return self.createIndex(row, column, siblings[row])
        return QModelIndex()

    def parent(self, child: QModelIndex | None = None):
        if child is None:                       # QObject.parent()
            return QObject.parent(self)
        if not child.isValid():
            return QModelIndex()
        up = child.internalPointer().parent
        return QModelIndex() if up is None else self.createIndex(up.row, 0, up)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._roots)
        return len(parent.internalPointer().children) if parent.column() == 0 else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(self._headers)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalPointer().selectable:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: TreeNode = index.internalPointer()
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.texts[col] if col < len(node.texts) else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip or (node.texts[col] if col < len(node.texts) else None) or None
        if role == Qt.ItemDataRole.ForegroundRole and col in node.colors:
            color = node.colors[col]
            brush = self._brushes.get(color)
            if brush is None:
                brush = self._brushes[color] = QColor(color)
            return brush
        if role == Qt.ItemDataRole.FontRole and node.bold:
            return self._bold
        if role == KEY_ROLE:
            return node.key
        if role == KIND_ROLE:
            return node.kind
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return None
