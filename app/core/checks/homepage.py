"""homepage_stale: the homepage shows nothing published within the window before 监测时间点."""
from __future__ import annotations

from .base import CheckContext, CheckFinding, Page
from .dates import page_dates

KIND = "homepage_stale"
INDICATOR = "web.veto.home_not_updated"
DEFAULTS = {"window_days": 14}


def homepage_stale(home: Page, ctx: CheckContext) -> list[CheckFinding]:
    """Veto candidate when the newest homepage date is more than window_days before as_of.

    Information without a date counts as not updated (spec: undated_counts_as_not_updated), so a
    homepage without any dated item is reported as well.
    """
    opts = ctx.opts(KIND, DEFAULTS)
    window = int(opts["window_days"])
    if not home.ok and not home.text:
        return []                                  # unreachable is another check's business
    dates = page_dates(home, ctx.as_of)
    if not dates:
        return [CheckFinding(KIND, INDICATOR, url=home.url, page=home.url,
                             detail="首页未发现带日期的信息（无发布日期视为未更新）",
                             evidence=f"监测时间点 {ctx.as_of.isoformat()}；首页（页脚、版权行除外）未找到不晚于监测时间点的日期。")]
    newest = max(dates, key=lambda f: f.date)
    age = (ctx.as_of - newest.date).days
    if age <= window:
        return []
    recent = sorted({f.date for f in dates}, reverse=True)[:5]
    return [CheckFinding(
        KIND, INDICATOR, url=home.url, page=home.url,
        detail=f"首页最新信息日期 {newest.date.isoformat()}，监测时间点前{window}天内无更新（已{age}天）",
        snippet=newest.text,
        evidence=f"监测时间点 {ctx.as_of.isoformat()}；首页最近的日期：" + "、".join(d.isoformat() for d in recent))]
