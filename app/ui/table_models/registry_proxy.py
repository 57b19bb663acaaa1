"""Instant search and combo filters over a RegistryTableModel.

The filter is computed once per change as a list of booleans over the source rows
(plain substring tests on precomputed haystacks), so filterAcceptsRow is a lookup.
"""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt

from .registry_model import SORT_ROLE, RegistryTableModel

# Pseudo statuses offered by the status filter besides the real ones.
RUNNING_ONLY = "__running__"
STOPPED_ONLY = "__stopped__"


class RegistryFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._terms: tuple[str, ...] = ()
        self._region: str | None = None
        self._group: str | None = None
        self._status: str | None = None
        self._mask: list[bool] = []
        self._mask_generation = -1
        self._model: RegistryTableModel | None = None

    # --- filter state ---------------------------------------------------------------
    def set_search(self, text: str) -> None:
        terms = tuple(t for t in text.lower().split() if t)
        if terms != self._terms:
            self._change(lambda: setattr(self, "_terms", terms))

    def set_region(self, region: str | None) -> None:
        if region != self._region:
            self._change(lambda: setattr(self, "_region", region or None))

    def set_group(self, group: str | None) -> None:
        """Category (sites) or platform (accounts)."""
        if group != self._group:
            self._change(lambda: setattr(self, "_group", group or None))

    def set_status(self, status: str | None) -> None:
        """A status, RUNNING_ONLY, STOPPED_ONLY or None for all."""
        if status != self._status:
            self._change(lambda: setattr(self, "_status", status or None))

    @property
    def is_filtered(self) -> bool:
        return bool(self._terms or self._region or self._group or self._status)

    def _change(self, apply) -> None:
        self.beginFilterChange()
        apply()
        self._mask_generation = -1
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # --- filtering --------------------------------------------------------------------
    def _rebuild_mask(self) -> None:
        model: RegistryTableModel = self.sourceModel()
        self._mask = [self._accepts(r) for r in model.rows]
        self._mask_generation = model.generation

    def _accepts(self, row) -> bool:
        if self._region is not None and row.region != self._region:
            return False
        if self._group is not None and row.group != self._group:
            return False
        status = self._status
        if status is not None:
            if status == RUNNING_ONLY:
                if not row.running:
                    return False
            elif status == STOPPED_ONLY:
                if row.running:
                    return False
            elif row.status != status:
                return False
        hay = row.haystack
        return all(t in hay for t in self._terms)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        # Called once per row from C++: keep it to a generation check and a list lookup.
        if self._mask_generation != self._model.generation:
            self._rebuild_mask()
        return self._mask[source_row]

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """The source model sorts (fast, see RegistryTableModel); the proxy only filters."""
        self.sourceModel().sort(column, order)

    def setSourceModel(self, model) -> None:
        self._mask_generation = -1
        self._model = model
        super().setSourceModel(model)
