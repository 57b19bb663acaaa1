"""地区结构: the regions with their 分组, 级别 and 排序 (the row order of every annex), edited in place
or imported from a file all or nothing. GUI thread only."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLabel, QPushButton, QTableView

from app.core.errors import GovInspectError, ValidationError
from app.core.registry import regions

from ..parts import hbox, vbox

COLUMNS = (("name", "地区"), ("group_name", "分组"), ("level", "级别"), ("sort_order", "排序"))
HINT = ("附件中的行先按分组、再按排序排列；级别为“省”或“市”且不分组的地区是通报的范围（全省/全市）。"
        "双击单元格修改，或从 .xlsx/.csv 导入（列：地区、分组、级别、排序）。")


class RegionsModel(QAbstractTableModel):
    """Regions in annex order; setData writes through regions.edit_region."""

    failed = Signal(str)
    edited = Signal()

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self._db = db
        self.rows: list[dict] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = regions.list_regions(self._db)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self.rows[index.row()][COLUMNS[index.column()][0]]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return "" if value is None else str(value)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        try:
            regions.edit_region(self._db, row["id"], {key: value})
        except ValidationError as exc:
            self.failed.emit("；".join(f"{k}：{v}" for k, v in exc.problems.items()))
            return False
        self.reload()          # 排序 may move the row
        self.edited.emit()
        return True


class RegionsDialog(QDialog):
    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.setWindowTitle("地区结构")
        self.resize(560, 520)
        self._db = db
        self.model = RegionsModel(db, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setColumnWidth(0, 150)
        self.view.setColumnWidth(1, 180)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model.failed.connect(self._on_failed)
        self.model.edited.connect(self.message.clear)
        import_button = QPushButton("导入…")
        import_button.clicked.connect(self._on_import)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        vbox(hint, (self.view, 1), self.message, hbox(import_button, None, buttons), parent=self)

    @Slot(str)
    def _on_failed(self, text: str) -> None:
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setText(text)

    def import_file(self, path) -> bool:
        """Import a regions file all or nothing; every problem is shown as 第N行 列：原因."""
        try:
            plan = regions.plan_regions_import(self._db, path)
            if not plan.ok:
                self._on_failed(plan.summary() + "\n" + "\n".join(map(str, plan.problems[:50])))
                return False
            done = regions.apply_regions_import(self._db, plan)
        except GovInspectError as exc:
            self._on_failed(str(exc))
            return False
        self.model.reload()
        self.message.setStyleSheet("color: #137333;")
        self.message.setText(f"导入完成：新增 {len(done.new)}，变更 {len(done.changed)}，未变 {len(done.unchanged)}。")
        return True

    @Slot()
    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入地区结构", "", "表格文件 (*.xlsx *.csv)")
        if path:
            self.import_file(path)
