"""Scorecard of one target: the round's indicator tree with the target's findings under each
item, the live score, a 合格/不合格 badge, the scorer's explanations and 待核对 marks.

Scoring is pure and takes a millisecond: the page passes the target's findings and the
card rescores on every call, so a review shows its effect at once.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QWidget

from app.core.rounds.findings import Finding
from app.core.rounds.profiles import Profile, ProfileItem
from app.core.rounds.rounds import RoundTarget
from app.core.rounds.scoring import FindingInput, Scorer, TargetScore, TargetSpec

from .. import style
from ..parts import button, hbox, splitter, tree_view, vbox
from ..table_models.node_tree_model import KEY_ROLE, KIND_ROLE, NodeTreeModel, TreeNode
from .indicator_tree import AMBER, MUTED, UNVERIFIED, fmt_number, points_text

RED, GREEN = "#c5221f", "#137333"
STATUS_COLORS = {"确认": RED, "误报": MUTED, "存疑": AMBER, "待审核": "#3c4043"}
BADGE = {
    True: "QLabel#scoreBadge { color: #137333; background: #e6f4ea; border: 1px solid #b7dfc0;"
          " border-radius: 4px; padding: 2px 10px; font-weight: bold; }",
    False: "QLabel#scoreBadge { color: #c5221f; background: #fce8e6; border: 1px solid #f1c2be;"
           " border-radius: 4px; padding: 2px 10px; font-weight: bold; }",
    None: "QLabel#scoreBadge { color: #5f6368; background: #f1f3f4; border: 1px solid #dadce0;"
          " border-radius: 4px; padding: 2px 10px; }",
}
HEADERS = ("指标 / 问题", "分值", "核对", "得失分")
OTHER_KEY = "__other__"


def finding_line(f: Finding) -> str:
    text = (f.detail or f.snippet or f.url or f.page or "（无描述）").replace("\n", " ")
    return f"［{f.status}］{text}"


class Scorecard(QWidget):
    add_requested = Signal(int, str)        # target id, indicator id ("" when none is selected)
    finding_activated = Signal(int)         # finding id (double-click)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._profiles: dict[str, Profile] = {}
        self._scorers: dict[str, Scorer] = {}
        self.target: RoundTarget | None = None
        self.findings: list[Finding] = []
        self.score: TargetScore | None = None
        self._read_only = False

        self.title = QLabel("未选择检查对象")
        self.title.setObjectName("scorecardTitle")
        self.title.setStyleSheet("QLabel#scorecardTitle { font-size: 12pt; font-weight: bold; color: #202124; }")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet(style.HINT)
        self.subtitle.setWordWrap(True)
        self.score_label = QLabel("—")
        self.score_label.setObjectName("scoreValue")
        self.score_label.setStyleSheet("QLabel#scoreValue { font-size: 20pt; font-weight: bold; color: #202124; }")
        self.badge = QLabel("—")
        self.badge.setObjectName("scoreBadge")
        self.badge.setStyleSheet(BADGE[None])
        self.unverified = QLabel("含待核对数值")
        self.unverified.setStyleSheet(style.WARNING)
        self.unverified.setToolTip("得分用到了尚未对照正式文件核对的分值或规则（在“指标体系”中核对）")
        self.unverified.setVisible(False)
        self.parts = QLabel()
        self.parts.setStyleSheet(style.HINT)
        self.add_button = button("添加问题…", self._on_add_clicked, "为此对象添加人工发现的问题（默认选中树中当前指标）")
        self.only_hits = QCheckBox("只看有问题的指标")
        self.only_hits.toggled.connect(self._rebuild)

        score_row = QHBoxLayout()
        score_row.addWidget(self.score_label)
        score_row.addSpacing(6)
        score_row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        score_row.addSpacing(6)
        score_row.addWidget(self.unverified, 0, Qt.AlignmentFlag.AlignVCenter)
        score_row.addStretch(1)
        score_row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignVCenter)
        tools = hbox((self.parts, 1), self.only_hits)

        self.model = NodeTreeModel(HEADERS, self)
        self.tree = tree_view(self.model)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 96), (2, 50), (3, 56)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, width)
        self.tree.doubleClicked.connect(self._on_double_clicked)
        self.explain = QPlainTextEdit()
        self.explain.setReadOnly(True)
        self.explain.setPlaceholderText("没有扣分。")
        self.explain.setObjectName("scoreExplanation")
        split = splitter(self.tree, self.explain, vertical=True, stretch=(3, 1), collapsible=False)
        vbox(self.title, self.subtitle, score_row, tools, (split, 1), parent=self, margins=(8, 0, 0, 0))
        self.show_target(None, [])

    # --- data ----------------------------------------------------------------------------------
    def set_profiles(self, profiles: dict[str, Profile]) -> None:
        """The round's profiles; a Scorer is compiled once per profile."""
        self._profiles = dict(profiles)
        self._scorers = {t: Scorer(p) for t, p in self._profiles.items()}

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.add_button.setEnabled(self.target is not None and not read_only)

    def show_target(self, target: RoundTarget | None, findings: list[Finding]) -> None:
        """Score ``target`` with ``findings`` (all statuses; only 确认 count) and show it."""
        self.target, self.findings = target, list(findings)
        scorer = self._scorers.get(target.target_type) if target else None
        self.score = None
        if scorer is not None:
            spec = TargetSpec(target.target_type, target.is_portal, target.has_external_service)
            self.score = scorer.score(spec, [FindingInput(f.indicator_id, f.count, f.deduct, f.status)
                                             for f in self.findings])
        self._show_header()
        self._rebuild()
        self.add_button.setEnabled(target is not None and not self._read_only)

    def _score_color(self, color: str) -> None:
        self.score_label.setStyleSheet(f"QLabel#scoreValue {{ font-size: 20pt; font-weight: bold; color: {color}; }}")

    def _show_header(self) -> None:
        t, s = self.target, self.score
        self._score_color("#202124")
        if t is None:
            self.title.setText("未选择检查对象")
            self.subtitle.setText("在左侧问题列表中选择一条问题，这里显示该对象的得分。")
            self.score_label.setText("—")
            self.badge.setText("—")
            self.badge.setStyleSheet(BADGE[None])
            self.unverified.setVisible(False)
            self.parts.setText("")
            self.explain.setPlainText("")
            return
        kind = "网站" if t.target_type == "site" else f"新媒体 · {t.platform}"
        self.title.setText(t.name)
        extra = f" · 未检查：{t.review_note}" if t.review_state == "未检查" else ""
        self.subtitle.setText(f"{kind} · {t.target_key} · {t.region_name or '未填地区'} · {t.unit_name}{extra}")
        if s is None:
            self.score_label.setText("—")
            self.badge.setText("无法计分")
            self.badge.setStyleSheet(BADGE[None])
            self.parts.setText("本轮的指标体系没有适用于此类对象的指标。")
            self.unverified.setVisible(False)
            self.explain.setPlainText("")
            return
        if s.final_score is not None:
            self.score_label.setText(f"{fmt_number(s.final_score)}分")
        else:
            self.score_label.setText("否决" if s.veto_ids else "—")
        self._score_color(RED if not s.passed else "#202124")
        self.badge.setText(s.result)
        self.badge.setStyleSheet(BADGE[s.passed])
        self.unverified.setVisible(s.unverified_used)
        if s.deduction_score is not None:
            self.parts.setText(f"扣分指标得分 {fmt_number(s.deduction_score)}，加分 {fmt_number(s.bonus_score or 0)}"
                               + ("（无对外服务职能，已折算）" if s.scaled else ""))
        elif s.veto_ids:
            self.parts.setText("单项否决")
        else:
            self.parts.setText("此类对象不计分，只判定是否触发单项否决。")
        lines = [d.explanation + ("（待核对）" if d.unverified else "") for d in s.deductions]
        self.explain.setPlainText("\n".join(lines + list(s.notes)))

    # --- tree ----------------------------------------------------------------------------------
    @Slot()
    def _rebuild(self, *_args) -> None:
        keep = self.current_key()
        profile = self._profiles.get(self.target.target_type) if self.target else None
        if profile is None:
            self.model.set_roots([])
            return
        by_item: dict[str, list[Finding]] = {}
        known = {i.id for i in profile.walk()}
        other = []
        for f in self.findings:
            (by_item.setdefault(f.indicator_id, []) if f.indicator_id in known else other).append(f)
        s = self.score
        totals = dict(s.totals) if s else {}
        lines: dict[str, list[str]] = {}
        for d in (s.deductions if s else ()):
            lines.setdefault(d.indicator_id, []).append(d.explanation)
        vetoed = set(s.veto_ids) if s else set()
        only_hits = self.only_hits.isChecked()
        roots = []
        for part in profile.items:
            node = self._item_node(part, by_item, totals, lines, vetoed, only_hits)
            if node is not None:
                roots.append(node)
        if other:
            node = TreeNode(("其他（不在本轮指标体系中，未计分）", "", "", ""), key=OTHER_KEY, kind="part", bold=True,
                            expand=True)
            node.children = [self._finding_node(f) for f in other]
            roots.append(node)
        self.model.set_roots(roots)
        self._expand(self.model.roots)
        if keep is not None:
            index = self.model.index_for_key(keep)
            if index.isValid():
                self.tree.setCurrentIndex(index)

    def _item_node(self, item: ProfileItem, by_item, totals, lines, vetoed, only_hits) -> TreeNode | None:
        kids = [n for n in (self._item_node(c, by_item, totals, lines, vetoed, only_hits) for c in item.children)
                if n is not None]
        hits = by_item.get(item.id, [])
        if only_hits and item.level > 0 and not hits and not kids:
            return None
        count = sum(1 for f in hits if f.status == "确认")
        name = item.name + (f"（确认 {count}）" if count else "")
        colors = {1: MUTED, 2: AMBER}
        outcome = ""
        if item.id in vetoed:
            outcome, colors[3] = "否决", RED
        elif totals.get(item.id):
            sign = "+" if item.kind == "bonus" else "−"
            outcome, colors[3] = f"{sign}{fmt_number(totals[item.id])}", GREEN if item.kind == "bonus" else RED
        if count and item.kind == "veto" and item.level > 1:
            colors[0] = RED
        node = TreeNode((name, points_text(item), "" if item.verified else UNVERIFIED, outcome), key=item.id,
                        kind="part" if item.level == 0 else "item", colors=colors, bold=item.level == 0,
                        tooltip="\n".join([f"{item.id}：{item.name}"] + lines.get(item.id, [])
                                          + ([] if item.verified else ["数值待核对：尚未对照正式文件确认。"])))
        node.children = [self._finding_node(f) for f in hits] + kids
        node.expand = item.level == 0 or bool(hits) or any(k.expand for k in kids)
        return node

    def _finding_node(self, f: Finding) -> TreeNode:
        tip = "\n".join(x for x in (f.detail, f.snippet, f.url, f.reviewer_note) if x)
        return TreeNode((finding_line(f), f"×{f.count}" if f.count != 1 else "", "", ""), key=f.id, kind="finding",
                        colors={0: STATUS_COLORS.get(f.status, MUTED), 1: MUTED}, tooltip=tip or finding_line(f))

    def _expand(self, nodes: list[TreeNode]) -> None:
        for node in nodes:
            if node.expand:
                self.tree.setExpanded(self.model.index_for_key(node.key), True)
                self._expand(node.children)

    # --- interaction ------------------------------------------------------------------------------
    def current_key(self):
        index = self.tree.currentIndex()
        return index.data(KEY_ROLE) if index.isValid() else None

    def current_item_id(self) -> str:
        """The indicator selected in the tree (a finding's item when a finding is selected)."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return ""
        index = index.siblingAtColumn(0)
        if index.data(KIND_ROLE) == "finding":
            index = index.parent()
        return index.data(KEY_ROLE) if index.data(KIND_ROLE) == "item" else ""

    @Slot()
    def _on_add_clicked(self) -> None:
        if self.target is not None and not self._read_only:
            self.add_requested.emit(self.target.id, self.current_item_id())

    @Slot()
    def _on_double_clicked(self, index) -> None:
        index = index.siblingAtColumn(0)
        if index.data(KIND_ROLE) == "finding":
            self.finding_activated.emit(index.data(KEY_ROLE))
