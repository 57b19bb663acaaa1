"""The 总览 page, the home page: the round at a glance — 合格率 with coverage, the 不合格 list, problems
by indicator, kind and 地区, the review backlog, crawl coverage, 整改 and 找错 — and the trends
across rounds. Figures come from followup.overview / rounds.trends on a worker; every chart,
card and row leads to the page that lists what it counts, with the filter set."""
from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QGridLayout, QLabel, QScrollArea, QStackedWidget, QTabWidget, QWidget,
)

from app.core.followup.overview import RoundOverview
from app.core.rounds.scoring import FAILED_ZH, NOT_CHECKED, PASSED_ZH, PENDING
from app.core.store import audit

from .. import style
from ..parts import button, hbox
from ..scoring_workers import OverviewWorker, TrendsWorker
from ..table_models.records_model import Column, RecordsTableModel
from ..widgets.charts import BarChart, Series
from ..widgets.round_combo import RoundCombo
from ..widgets.share_charts import HBarChart, Share, ShareRing
from ..widgets.stat_card import StatCard
from ..widgets.trends_panel import ACCOUNT_COLOUR, SITE_COLOUR, TrendsPanel, group
from . import PageContext
from .page_parts import MessageLine, Page, choose_round, empty_state, go_to, page_column, record_table

TOP_BARS = 10
GREEN, RED, GREY, LIGHT, AMBER = "#188038", "#d93025", "#9aa0a6", "#dadce0", "#f9ab00"
RESULT_SHARES = ((PASSED_ZH, GREEN), (FAILED_ZH, RED), (PENDING, GREY), (NOT_CHECKED, LIGHT))
CRAWL_SHARES = (("检查完成", GREEN), ("无法访问", RED), ("失败", AMBER), ("未完成", GREY), ("未运行", LIGHT))
TYPE_ZH = {"site": "网站", "account": "新媒体"}

FAILED_COLUMNS = [
    Column("不合格对象", lambda f: f.name, width=200),
    Column("类型", lambda f: TYPE_ZH.get(f.target_type, f.target_type), width=52),
    Column("地区", lambda f: f.region, width=74),
    Column("得分", lambda f: "—" if f.final_score is None else f"{f.final_score:.2f}", width=52),
    Column("原因", lambda f: "；".join(f.reasons) or "扣分后低于合格线", width=220),
]


def scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def short_label(name: str) -> str:
    """An indicator's name without the explanation in brackets at its end (the tooltip keeps it)."""
    return re.sub(r"（[^（）]*）$", "", name) or name


def _rate_text(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def _percent(v: float) -> str:
    return f"{v:.2f}%".replace(".00%", "%")


class OverviewPage(Page):
    overview_ready = Signal(object)          # RoundOverview
    trends_ready = Signal(object)            # RoundTrends
    layout_key = "overview"
    round_setting = "overview/round"

    def __init__(self, ctx: PageContext, parent=None):
        super().__init__(ctx, parent)
        self.overview: RoundOverview | None = None
        self.trends = None
        self._seen: tuple | None = None          # (round id, audit id) the figures are of
        self._trends_seen: tuple | None = None
        self._restored = False
        self._regions: list = []
        self.round_combo = RoundCombo(self._db)
        self.round_combo.setMinimumContentsLength(30)
        self.refresh_button = button("刷新", self.refresh, "重新计算本轮的各项数字")
        self.status = style.caption("")
        bar = hbox(QLabel("检查轮次"), self.round_combo, self.refresh_button, 12, (self.status, 1), spacing=6)

        self.site_ring, self.account_ring, self.crawl_ring = ShareRing(), ShareRing(), ShareRing()
        for ring, slot in ((self.site_ring, self._on_site_share), (self.account_ring, self._on_account_share),
                           (self.crawl_ring, self._on_crawl_share)):
            ring.setMinimumHeight(150)
            ring.item_clicked.connect(slot)
        self.site_box = group("网站合格率", self.site_ring)
        self.account_box = group("新媒体合格率", self.account_ring)
        self.crawl_box = group("自动检查覆盖（网站）", self.crawl_ring)
        self.cards = self._build_cards()

        self.failed_model = RecordsTableModel(FAILED_COLUMNS, self, id_of=lambda f: f.target_id)
        self.failed_view = record_table(self.failed_model, FAILED_COLUMNS, sortable=False, stretch_column=4)
        self.failed_view.setToolTip("双击查看此对象的评分与扣分")
        self.failed_view.doubleClicked.connect(self._on_failed_activated)
        self.failed_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.failed_view.setMinimumHeight(150)
        self.indicators = HBarChart()
        self.indicators.item_clicked.connect(self._on_indicator_clicked)
        self.kinds = HBarChart()
        self.kinds.item_clicked.connect(self._on_kind_clicked)
        self.regions = BarChart()
        self.regions.set_value_format(_percent)
        self.regions.set_axis_top(100)
        self.regions.setMinimumHeight(200)
        self.regions.bar_clicked.connect(self._on_region_clicked)
        for chart in (self.indicators, self.kinds):
            chart.set_empty_text("还没有确认的问题")
        self.regions.set_empty_text("还没有已检查的对象")
        self.failed_box = group("不合格对象（双击查看评分）", self.failed_view)

        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 6, 0)
        grid.setSpacing(10)
        grid.addWidget(self.site_box, 0, 0)
        grid.addWidget(self.account_box, 0, 1)
        grid.addWidget(self.crawl_box, 0, 2)
        grid.addLayout(self.cards_grid, 1, 0, 1, 3)
        grid.addWidget(self.failed_box, 2, 0, 1, 2)
        grid.addWidget(group("确认问题：按指标（点击查看）", self.indicators), 2, 2)
        grid.addWidget(group("确认问题：按类型（点击查看）", self.kinds), 3, 0)
        grid.addWidget(group("各地区合格率（点击查看该地区的问题）", self.regions), 3, 1, 1, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        self.trends_panel = TrendsPanel()
        self.trends_panel.target_activated.connect(self.open_scorecard)
        self.trends_panel.round_activated.connect(self._on_trend_round)
        self.tabs = QTabWidget()           # each tab scrolls: a small screen never cuts a chart off
        self.tabs.addTab(scrolling(body), "本轮总览")
        self.trends_tab = scrolling(self.trends_panel)
        self.tabs.addTab(self.trends_tab, "历次趋势")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(empty_state("还没有检查轮次。\n先在“网站”“新媒体”中导入名录（或 文件 → 载入示例名录），"
                                         "再在“检查轮次”中新建一轮检查；总览会显示它的合格率、问题和进度。",
                                         button("去新建检查轮次", self._go_rounds)))
        self.message = MessageLine()
        page_column(self, "总览", "本轮检查的合格率、问题、进度与历次趋势；点击图表查看对应清单", bar, (self.stack, 1),
                    self.message)
        self.round_combo.round_changed.connect(self._on_round_changed)

    def _build_cards(self) -> dict[str, StatCard]:
        specs = [
            ("to_review", "待审核", "自动检查、导入或提出的问题中尚未审核的", self._go_review_status, "待审核"),
            ("doubtful", "存疑", "标为存疑、需再看的问题", self._go_review_status, "存疑"),
            ("confirmed", "确认问题", "审核确认的问题，计入得分", self._go_review_status, "确认"),
            ("rectify_open", "整改未完成", "已下发整改通知、尚未整改（或复核未通过）的问题", self._go_rectify, None),
            ("rectify_overdue", "整改逾期", "超过整改期限仍未整改的问题", self._go_rectify, None),
            ("messages", "找错留言受理", "本轮检查时间段内提交的“我为政府网站找错”留言", self._go_messages, False),
            ("messages_overdue", "找错留言超期", "答复晚于期限，或期限已过仍未答复", self._go_messages, True),
            ("on_time", "按期办结率", "按期办结 ÷ 受理", self._go_messages, False),
        ]
        self.cards_grid = QGridLayout()
        self.cards_grid.setSpacing(8)
        cards = {}
        for i, (key, caption, tip, slot, arg) in enumerate(specs):
            card = StatCard(caption, tip + "（点击查看）")
            card.set_clickable()
            card.clicked.connect(lambda slot=slot, arg=arg: slot(arg))
            self.cards_grid.addWidget(card, 0, i)
            cards[key] = card
        return cards

    # --- loading -----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        """Re-read the rounds; recompute when the round or the data changed since the last figures."""
        self.round_combo.reload()
        if not self._restored:              # the round chosen last time, once
            self._restored = True
            remembered = self._ctx.settings.value(self.round_setting)
            if remembered not in (None, ""):
                self.round_combo.set_round(int(remembered), emit=False)
        self.stack.setCurrentIndex(0 if self.round_combo.round_id() is not None else 1)
        if (self.round_combo.round_id(), audit.last_id(self._db)) != self._seen:
            self.refresh()

    def round_id(self) -> int | None:
        return self.round_combo.round_id()

    @Slot(object)
    def _on_round_changed(self, round_id) -> None:
        if round_id is not None:
            self._ctx.settings.setValue(self.round_setting, round_id)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Compute the figures of the chosen round on a worker (the trends too, if their tab is open)."""
        rid = self.round_id()
        if rid is None or not self.isVisible():
            return
        self._seen = (rid, audit.last_id(self._db))
        self.status.setText("正在计算…")
        self._jobs.start(OverviewWorker(self._ctx.db_path, rid), self._on_overview, self._on_failed)
        if self.tabs.currentWidget() is self.trends_tab:
            self._start_trends()

    def _start_trends(self) -> None:
        rid = self.round_id()
        if rid is None:
            return
        self._trends_seen = (rid, audit.last_id(self._db))
        self._jobs.start(TrendsWorker(self._ctx.db_path, rid), self._on_trends, self._on_failed)

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.trends_tab and self._trends_seen != self._seen:
            self._start_trends()

    @Slot(object)
    def _on_overview(self, o: RoundOverview) -> None:
        if o.round.id != self.round_id():
            return                              # the user chose another round meanwhile
        self.overview = o
        self.status.setText(f"监测时间点 {o.round.as_of} · 指标体系 {o.round.profile_id}"
                            + ("；部分得分用到了待核对的数值" if o.unverified_used else ""))
        self._show_rings(o)
        self._show_cards(o)
        self.failed_model.set_records(list(o.failed))
        self.failed_box.setTitle(f"不合格对象 {len(o.failed)} 个（双击查看评分）")
        top = o.by_indicator[:TOP_BARS]
        self.indicators.set_data([short_label(t.label) for t in top],
                                 [Series("确认问题", tuple(t.count for t in top), RED)], [t.label for t in top])
        kinds = o.by_kind[:TOP_BARS]
        self.kinds.set_data([t.label for t in kinds], [Series("确认问题", tuple(t.count for t in kinds), RED)])
        for chart in (self.indicators, self.kinds):
            chart.setMinimumHeight(chart.sizeHint().height())
        regions = [r for r in o.regions if r.site_checked or r.account_checked]
        self._regions = regions
        self.regions.set_data([f"{r.region}\n问题 {r.problems}" for r in regions], [
            Series("网站", tuple(None if r.site_rate is None else float(r.site_rate) for r in regions), SITE_COLOUR),
            Series("新媒体", tuple(None if r.account_rate is None else float(r.account_rate) for r in regions),
                   ACCOUNT_COLOUR)])
        self.overview_ready.emit(o)

    def _show_rings(self, o: RoundOverview) -> None:
        for ring, box, f in ((self.site_ring, self.site_box, o.sites), (self.account_ring, self.account_box, o.accounts)):
            values = (f.passed, f.failed, f.pending, f.not_checked)
            ring.set_data([Share(label, v, colour) for (label, colour), v in zip(RESULT_SHARES, values)],
                          _rate_text(f.pass_rate), "合格率", f.coverage)
            warn = "" if f.complete else "（未查完）"
            box.setTitle(f"{f.label}：合格 {f.passed} / 已检查 {f.checked}{warn}")
            box.setToolTip(f"{f.label}共 {f.total} 个：已检查 {f.checked}，待检查 {f.pending}，未检查 {f.not_checked}。"
                           "合格率只计已检查的对象。点击圆环或图例查看对应的对象")
        c = o.crawl
        values = (c.finished - c.unreachable, c.unreachable, c.failed, c.unfinished, c.never)
        self.crawl_ring.set_data([Share(label, v, colour) for (label, colour), v in zip(CRAWL_SHARES, values)],
                                 f"{c.finished}/{c.sites}", "检查完成")

    def _show_cards(self, o: RoundOverview) -> None:
        c = self.cards
        c["to_review"].set_value(str(o.review_count("待审核")), "#a15c00" if o.review_count("待审核") else None)
        c["doubtful"].set_value(str(o.review_count("存疑")))
        c["confirmed"].set_value(str(o.review_count("确认")))
        c["rectify_open"].set_value(str(o.rectify.open))
        c["rectify_overdue"].set_value(str(o.rectify.overdue), "#c5221f" if o.rectify.overdue else None)
        m = o.messages
        c["messages"].set_value(str(m.received))
        c["messages_overdue"].set_value(str(m.overdue), "#c5221f" if m.overdue else None)
        c["on_time"].set_value(_rate_text(m.on_time_rate))
        for key in ("messages", "messages_overdue", "on_time"):
            c[key].setToolTip(f"{m.period_from} 至 {m.period_to} 提交的留言（点击查看）")

    @Slot(object)
    def _on_trends(self, trends) -> None:
        if trends.round_id != self.round_id():
            return
        self.trends = trends
        self.trends_panel.show_trends(trends)
        self.trends_ready.emit(trends)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText("")
        self.message.show_message(f"无法计算：{message}", "error")

    # --- the lists behind the figures -------------------------------------------------------------------
    def _targets(self, target_type: str, state: str | None) -> None:
        page = go_to(self, "rounds")
        if page is not None:
            page.show_targets(self.round_id(), target_type, state)

    @Slot(int)
    def _on_site_share(self, index: int) -> None:
        self._targets("site", RESULT_SHARES[index][0])

    @Slot(int)
    def _on_account_share(self, index: int) -> None:
        self._targets("account", RESULT_SHARES[index][0])

    @Slot(int)
    def _on_crawl_share(self, _index: int) -> None:
        page = go_to(self, "checks")
        if page is not None:
            choose_round(page, self.round_id())

    def show_findings(self, **filters) -> None:
        """The 审核评分 queue of this round with ``filters`` (status, kind, region, indicator …)."""
        page = go_to(self, "scores")
        if page is not None:
            page.show_findings(self.round_id(), **filters)

    def _go_review_status(self, status: str) -> None:
        self.show_findings(status=status)

    @Slot(int)
    def _on_indicator_clicked(self, row: int) -> None:
        if self.overview is not None and row < len(self.overview.by_indicator):
            t = self.overview.by_indicator[row]
            self.show_findings(status="确认", indicator=t.key, indicator_label=t.label)

    @Slot(int)
    def _on_kind_clicked(self, row: int) -> None:
        if self.overview is not None and row < len(self.overview.by_kind):
            self.show_findings(status="确认", kind=self.overview.by_kind[row].key or None)

    @Slot(int)
    def _on_region_clicked(self, index: int) -> None:
        if 0 <= index < len(self._regions):
            self.show_findings(status="确认", region=self._regions[index].region)

    @Slot(QModelIndex)
    def _on_failed_activated(self, index: QModelIndex) -> None:
        self.open_scorecard(self.failed_model.record(index.row()).target_id)

    @Slot(int)
    def open_scorecard(self, target_id: int) -> None:
        page = go_to(self, "scores")
        if page is not None:
            page.show_target(self.round_id(), target_id)

    @Slot(int)
    def _on_trend_round(self, round_id: int) -> None:
        self.round_combo.set_round(round_id)
        self.tabs.setCurrentIndex(0)

    def _go_rectify(self, _arg=None) -> None:
        page = go_to(self, "rectify")
        if page is not None:
            choose_round(page, self.round_id())

    def _go_messages(self, overdue: bool) -> None:
        page = go_to(self, "messages")
        if page is not None and self.overview is not None:
            m = self.overview.messages
            page.show_period(m.period_from, m.period_to, overdue)

    @Slot()
    def _go_rounds(self) -> None:
        page = go_to(self, "rounds")
        if page is not None:
            page.open_new_round_dialog()
