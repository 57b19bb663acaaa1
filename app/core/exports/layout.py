"""The layout choices an annex builder needs, resolved once per export: period, title fields,
subtitle, rate decimals, platform and category names."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..office.xlsx import rate_kind
from .options import ExportOptions
from .wording import cn_date, fill, monitor_note, platform_name, scope_word, short_period, span_text


@dataclass
class Layout:
    period: str
    fields: dict[str, str]
    subtitle: str
    monitor_note: str
    rate_decimals: int = 2
    short_platforms: bool = False
    category_names: dict = field(default_factory=dict)

    @classmethod
    def of(cls, data, options: ExportOptions) -> "Layout":
        rnd = data.round
        period = options.period or data.period
        fields = {"期间": period, "期间简称": short_period(period), "年度": f"{rnd.as_of[:4]}年",
                  "地区": data.area, "范围": scope_word(data.area), "监测时间点": cn_date(rnd.as_of),
                  "时间段": span_text(rnd)}
        return cls(period, fields, fill(options.subtitle, fields), monitor_note(rnd), options.rate_decimals,
                   options.short_platforms, dict(options.category_names))

    def title(self, chosen: str, default: str) -> str:
        """A title from the user's template, else the default template, with {期间} … filled in."""
        return fill(chosen or default, self.fields)

    @property
    def rate_kind(self) -> str:
        return rate_kind(self.rate_decimals)

    def platform(self, name: str) -> str:
        return platform_name(name, self.short_platforms)

    def category(self, category: str) -> str:
        """How the circular calls a site category (类别=称呼), else the category + 网站."""
        if category in self.category_names:
            return self.category_names[category]
        return category if category.endswith("网站") else f"{category}网站"
