"""One generated government site: columns in the family's list layouts with fresh, stale and blank
columns, articles, policy documents, a message board, PII in prose, tables and attachments, links,
a homepage and a footer, each defect recorded in the Truth next to decoys that look like one."""
from __future__ import annotations

import datetime as dt
import math
import random
from urllib.parse import quote

from . import files
from .layouts import (BLANK_STYLES, CRUMB_FORMS, FAMILIES, FOOTERS, MARKS, PAGERS, ROW_DECOR,
                      YEARLESS, Column, e, empty_list, fmt_date, footer_html, pager, render_list, render_meta, shell)
from .model import (AS_OF, FILLER, GRAVE, RIGHT, TYPOS, Site, Truth, card, decoy_numbers, luhn_complete, masked,
                    mobile, valid_id)

CITIES = ["云溪", "江州", "青山", "临川", "南岭", "白沙", "东湖", "石城", "清江", "凤岗"]
ALWAYS = [("ywdt", "要闻动态", "news", 14), ("tzgg", "通知公告", "notice", 183), ("zcwj", "政策文件", "policy", 183)]
OPTIONAL = [("bmdt", "部门动态", "news", 14), ("xzdt", "乡镇动态", "news", 14), ("gsgg", "公示公告", "notice", 183),
            ("zcjd", "政策解读", "interpretation", 183), ("rsxx", "人事信息", "periodic", 365),
            ("tjsj", "统计数据", "periodic", 365), ("ghjh", "规划计划", "periodic", 365),
            ("czyjs", "财政预决算", "periodic", 365), ("jgzn", "机构设置", "static", None)]
BLANKABLE = [("jytabl", "建议提案办理"), ("sjgg", "审计公告"), ("yjgl", "应急管理"), ("zfcg", "政府采购"),
             ("shgy", "社会公益事业"), ("hjbh", "环境保护"), ("spaq", "食品安全"), ("jyxx", "就业信息")]
CATEGORY_LABEL = {"news": "动态要闻", "notice": "通知公告/政策", "policy": "通知公告/政策",
                  "interpretation": "通知公告/政策", "periodic": "年度类"}
TOPICS = ["安全生产", "防汛抗旱", "乡村振兴", "营商环境", "人居环境整治", "消防安全", "食品安全", "文明城市创建",
          "秋冬季大气污染防治", "高标准农田建设", "城乡医保缴费", "义务教育招生", "森林防火", "禁毒宣传",
          "就业创业", "养老服务", "河湖长制", "耕地保护", "招商引资", "项目建设"]
SPACING = {"news": (1, 3), "notice": (5, 20), "policy": (6, 25), "interpretation": (6, 25), "periodic": (15, 60),
           "static": (100, 300)}
LAYOUTS_OF = {"trs": ["ul", "date_first", "table", "em_cards"], "hanweb": ["datastore", "datastore_table", "ul", "table"],
              "jyh": ["cards", "split_cards", "year_cards", "dl", "date_first"]}
FORMS_OF = {"trs": ["iso", "slash", "bracket", "md_bracket", "cn"], "hanweb": ["iso", "md_bracket", "md_bare", "dot"],
            "jyh": ["iso", "cn", "md_cn", "dot"]}
META_OF = {"trs": ["th_td", "td_pairs", "td_b", "vertical"], "hanweb": ["span_pairs", "dl", "td_pairs", "label_tag"],
           "jyh": ["span_tail", "inline", "inline_brackets", "dl", "th_td", "label_tag"]}
ELEMENTS = ["索引号", "主题分类", "发文机关", "成文日期", "发文字号", "发布日期"]
LABEL_ALIASES = {"索引号": ["索引号", "索 引 号", "信息索引号"], "发文机关": ["发文机关", "发布机构", "发布机关"],
                 "成文日期": ["成文日期", "生成日期"], "发文字号": ["发文字号", "文号", "发文文号"],
                 "发布日期": ["发布日期", "发布时间", "公开日期"], "主题分类": ["主题分类", "分类", "信息分类"]}
ID_HEADS = ["身份证号", "身份证号码", "公民身份号码"]
MOBILE_HEADS = ["手机号码", "联系电话", "联系方式"]
CARD_HEADS = ["银行卡号", "银行账号", "社保卡号", "账号"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"


class SiteBuilder:
    def __init__(self, k: int, port: int, ext: dict[str, int], rng: random.Random, truth: Truth):
        self.k, self.rng, self.truth, self.ext = k, rng, truth, ext
        self.fam = FAMILIES[["trs", "hanweb", "jyh"][k % 3]]
        city = CITIES[k % len(CITIES)] + ("市" if k % 2 == 0 else "县")
        self.site = Site(f"3699{k:06d}", f"{city}人民政府", port, f"{city}人民政府办公室", self.fam.name)
        self.code, self.base = self.site.code, self.site.url
        self.P = self.site.pages
        self.crumb_form = rng.choice(CRUMB_FORMS)
        self.pager = rng.choice(PAGERS)
        self.footer_style = FOOTERS[k % len(FOOTERS)]
        self.section = rng.choice(["政务公开", "信息公开", "政策法规"])
        self.columns: list[Column] = []
        self.articles: dict[str, dict] = {}                   # path -> {title, day, body parts, crumbs}
        self.n = 0
        self.gov = f"http://127.0.0.1:{ext['good']}"
        truth.used("family", self.fam.name)
        truth.used("pager", self.pager)
        truth.used("footer", self.footer_style)

    # ------------------------------------------------------------ helpers

    def add(self, path: str, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8",
            same_as: str = "") -> None:
        """Serve a path; ``same_as``: another address of a page already counted (dir/ and dir/index.html)."""
        self.P[path] = (status, ctype, body)
        if status == 200 and ctype.startswith("text/html") and not same_as:
            self.truth.html_pages.add(self.base + path)

    def nav(self) -> str:
        cols = [c for c in self.columns if c.category in ("news",)][:2]
        links = "".join(f'<li><a href="{c.list_paths[0] if c.list_paths else "/"}">{c.name}</a></li>' for c in cols)
        # A hidden drop-down of ordinary column links: hidden, but no dark link (a decoy).
        sub = "".join(f'<li><a href="{c.list_paths[0]}">{c.name}</a></li>' for c in self.columns[:4] if c.list_paths)
        return (f'<ul class="menu"><li><a href="/">首页</a></li>{links}<li><a href="/zwgk/">政务公开</a>'
                f'<ul class="sub-menu" style="display:none">{sub}</ul></li><li><a href="{self.board_path}">互动交流</a></li></ul>')

    def sidebar(self, current: Column | None) -> str:
        on = ' class="on"'
        items = "".join(f'<li{on if c is current else ""}><a href="{c.list_paths[0]}">{c.name}</a></li>'
                        for c in self.columns + self.blank_cols + self.decoy_cols if c.list_paths)
        return f'<h2>政务公开</h2><ul class="sub-nav">{items}</ul>'

    def page(self, title: str, main: str, crumbs, current: Column | None = None, side: bool = True) -> bytes:
        return shell(site_name=self.site.name, title=f"{title}_{self.site.name}", main=main, nav=self.nav_html,
                     crumbs=crumbs, crumb_form=self.crumb_form, sidebar=self.sidebar(current) if side else "",
                     footer=self.footer_plain, family=self.fam.name)

    def title(self, col: Column, i: int) -> str:
        topic = self.rng.choice(TOPICS)
        kind = {"news": "工作推进会召开", "notice": "的通知", "policy": "实施方案的通知", "interpretation": "政策解读",
                "periodic": "情况公示", "static": "职能介绍"}[col.category]
        if col.category == "news":
            return f"{self.site.name[:2]}{topic}工作推进会召开（第{i + 1}次）"
        return f"关于{topic}{kind}（{self.site.name[:2]}第{i + 1}期）"

    # ------------------------------------------------------------ plan

    def plan_columns(self) -> None:
        rng = self.rng
        chosen = list(ALWAYS) + rng.sample(OPTIONAL, rng.randint(4, 6))
        for i, (d, name, cat, window) in enumerate(chosen):
            self.columns.append(Column(d, name, cat, window, 2000 + self.k * 50 + i))
        self.blank_cols = [Column(d, name, "blank", None, 2900 + self.k * 50 + i)
                           for i, (d, name) in enumerate(rng.sample(BLANKABLE, rng.randint(0, 2)))]
        # Decoys for blank: a column whose list a script loads, one of plain text.
        self.decoy_cols = [Column("ajxx", "办件信息", "ajax", None, 2990 + self.k), Column("lxwm", "联系我们", "text", None, 2991 + self.k)]
        self.board_path = {"trs": "/hdjl/ldxx/index.html", "hanweb": "/col/col9001/index.html",
                           "jyh": "/hdjl/zxts/list.shtml"}[self.fam.name]
        self.home_stale = rng.random() < 0.2
        for col in self.columns:
            per = 15 if (self.fam.name == "hanweb") else rng.choice([10, 12, 15])
            if col.category == "static":
                n_items = rng.randint(5, 8)
            elif col.category == "periodic" and rng.random() < 0.4:
                n_items = rng.randint(1, 4)                 # a yearly column with a few items
                self.truth.used("short list", "periodic")
            else:
                n_items = rng.randint(6, 28)
            col.layout = rng.choice(LAYOUTS_OF[self.fam.name])
            col.form = "split" if col.layout in ("split_cards", "year_cards") else rng.choice(FORMS_OF[self.fam.name])
            col.decor = rng.choice(ROW_DECOR)
            self.truth.used("row decoration", col.decor)
            client_paged = col.layout.startswith("datastore")        # Hanweb pages its records in the browser
            pages = 1 if client_paged else math.ceil(n_items / per)
            col.per = per if not client_paged else n_items
            col.list_paths = [self.fam.list_path(col, i) for i in range(pages)]
            stale = col.category != "static" and (rng.random() < 0.28 or (self.home_stale and col.dir == "ywdt"))
            col.stale = stale
            self.truth.used("list layout", col.layout)
            self.truth.used("date form", col.form)
            lo, hi = SPACING[col.category]
            if col.category == "static":
                age = rng.randint(400, 900)
            elif stale:
                age = col.window + rng.randint(5, 220)
            elif self.home_stale and col.dir == "tzgg":
                age = rng.randint(15, 150)           # fresh for a notice column, old for a homepage
            else:
                age = rng.randint(0, max(1, col.window // 2 if col.window > 14 else 6))
            day = AS_OF - dt.timedelta(days=age)
            for i in range(n_items):
                self.n += 1
                col.items.append((self.title(col, i), self.fam.article_path(col, day, self.n), day))
                day -= dt.timedelta(days=rng.randint(lo, hi))
            if stale:
                self.truth.add("column_stale", self.code, col.dir, CATEGORY_LABEL[col.category])
            elif col.category != "static":
                self.truth.decoy("column_stale")
            if col.form in YEARLESS:
                self.truth.used("yearless in", f"{self.fam.name}:{'stale' if stale else 'fresh'}")
        for col in self.blank_cols:
            col.list_paths = [self.fam.list_path(col, 0)]
            col.style = rng.choice([s for s in BLANK_STYLES if (s != "empty_datastore" or self.fam.name == "hanweb")
                                    and (s != "trs_script_pager" or self.fam.name == "trs")])
            self.truth.add("column_blank", self.code, col.dir)
            self.truth.used("blank style", col.style)
        for col in self.decoy_cols:
            col.list_paths = [self.fam.list_path(col, 0)]
            self.truth.decoy("column_blank")
        self.truth.columns[self.code] = {
            c.dir: [self.base + p for p in c.list_paths] + ([self.base + f"/{c.dir}/"] if self.fam.name == "trs" else [])
            for c in self.columns + self.blank_cols + self.decoy_cols}

    # ------------------------------------------------------------ rendering

    def render(self) -> Site:
        self.plan_columns()
        self.nav_html = self.nav()
        self.footer_plain = footer_html(self.footer_style, host=self.site.host_unit, code=self.code,
                                        icp="赣ICP备12345678号-1", psb=f"赣3601020200{self.k:04d}", gov=self.gov,
                                        drop=set())
        for col in self.columns:
            self.render_column(col)
        for col in self.blank_cols:
            main = f'<h3 class="lm-name">{col.name}</h3>{empty_list(col.style)}'
            self.add(col.list_paths[0], self.page(col.name, main, [("政务公开", "/zwgk/"), (col.name, "")], col))
        ajax = self.decoy_cols[0]
        self.add(ajax.list_paths[0], self.page(ajax.name, '<ul class="list" id="bjlist"></ul><script>$.ajax({url:"/api/bj",'
                                                        'success:function(r){$("#bjlist").html(r)}});</script>',
                                               [("政务公开", "/zwgk/"), (ajax.name, "")], ajax))
        text = self.decoy_cols[1]
        self.add(text.list_paths[0], self.page(text.name, f'<div class="content"><p>地址：{self.site.name[:3]}人民路1号 '
                                                        "邮编：341000 办公时间：工作日上午8:00-12:00，下午14:30-17:30。"
                                                        "如需咨询，请在工作时间来电或来访，我们将竭诚为您服务。</p></div>",
                                               [("政务公开", "/zwgk/"), (text.name, "")], text))
        # 政务公开: a page of sub-column links (no blank column, no list).
        links = "".join(f'<li><a href="{c.list_paths[0]}">{c.name}</a></li>'
                        for c in self.columns + self.blank_cols + self.decoy_cols)
        self.add("/zwgk/", self.page("政务公开", f'<div class="zwgk-entry"><ul>{links}</ul></div>', [("政务公开", "")], None, False))
        self.policy_docs()
        self.plant_text_defects()
        self.plant_pii()
        self.message_board()
        self.links_and_marks()
        self.homepage()
        self.render_articles()
        self.truth.decoy("broken_link", sum(1 for v in self.P.values() if v[0] == 200))   # links that answer
        self.truth.add("https_problem", self.code, "site")
        self.truth.add("ipv6_missing", self.code, "site")
        return self.site

    def render_column(self, col: Column) -> None:
        pages = [col.items[i * col.per:(i + 1) * col.per] for i in range(len(col.list_paths))]
        special_meta = col.category == "policy" and self.fam.name == "jyh" and self.rng.random() < 0.5
        for i, (path, items) in enumerate(zip(col.list_paths, pages)):
            if special_meta:     # a policy list whose items show 文号 and 成文日期 (a list, never a document)
                body = "".join(f'<div class="file-item"><a href="{p}">{e(t)}</a><p>发文字号：{self.site.name[:2]}府发〔{d.year}〕'
                               f'{j + 1}号　成文日期：{d.isoformat()}</p></div>' for j, (t, p, d) in enumerate(items))
                self.truth.used("list layout", "policy_meta_cards")
            else:
                body = render_list(col.layout, items, col.form, self.rng, col.decor)
            main = f'<h3 class="lm-name">{col.name}</h3>{body}{pager(self.pager, col.list_paths, i)}'
            self.add(path, self.page(col.name, main, [(self.section, "/zwgk/"), (col.name, "")], col))
            if self.fam.name == "trs" and i == 0:
                self.add(f"/{col.dir}/", self.P[path][2], same_as=path)     # dir/ and dir/index.html: one page
        for t, p, d in col.items:
            self.articles[p] = {"title": t, "day": d, "col": col, "extra": [], "meta": None}

    # ------------------------------------------------------------ policy documents

    def policy_docs(self) -> None:
        rng = self.rng
        col = next(c for c in self.columns if c.category == "policy")
        layouts = META_OF[self.fam.name]
        for j, (t, p, d) in enumerate(col.items):
            layout = rng.choice(layouts)
            self.truth.used("metadata layout", layout)
            values = {"索引号": f"11360{self.k:03d}MB{rng.randrange(10**7):07d}/{d.year}-{rng.randrange(10000):05d}",
                      "主题分类": rng.choice(["综合政务", "综合政务\\通知", "城乡建设、环境保护", "农业、林业、水利"]),
                      "发文机关": self.site.name, "成文日期": fmt_date(d - dt.timedelta(days=rng.randint(0, 5)), rng.choice(["iso", "cn"])),
                      "发文字号": f"{self.site.name[:2]}府发〔{d.year}〕{j + 1}号", "发布日期": fmt_date(d, rng.choice(["iso", "cn"]))}
            missing: list[str] = []
            if rng.random() < 0.35:
                missing = rng.sample(ELEMENTS, rng.choice([1, 1, 2]))
            dateline = ""
            if "发布日期" not in missing and rng.random() < 0.2:      # shown under the title, not in the table
                dateline = f'{values["发布日期"]} {rng.randint(8, 18):02d}:{rng.choice(["00", "30"])} 来源：{self.site.name}'
                self.truth.used("metadata layout", "dateline")
            fields = []
            for name in ELEMENTS:
                if name == "发布日期" and dateline:
                    continue
                label = rng.choice(LABEL_ALIASES[name])
                if name in missing:
                    if rng.random() < 0.5:
                        fields.append((label, ""))        # the label with an empty value
                    continue                              # or no label at all
                fields.append((label, values[name]))
            if not layout.startswith("inline") and rng.random() < 0.5:
                fields.append(("有效性", "有效"))
            if layout == "vertical" and len(fields) > 6:
                fields = fields[:6]
            for name in missing:
                self.truth.add("policy_metadata_missing", self.code, (p, name))
            self.truth.decoy("policy_metadata_missing", len(ELEMENTS) - len(missing))
            self.articles[p]["meta"] = render_meta(layout, fields)
            self.articles[p]["docno"] = values["发文字号"] if "发文字号" not in missing else ""
            self.articles[p]["dateline"] = dateline
        self.truth.decoy("policy_metadata_missing", len(col.list_paths))       # its list pages

    # ------------------------------------------------------------ typos, grave errors, dark and broken links

    def plain_articles(self) -> list[str]:
        return [p for p, a in self.articles.items() if a["col"].category not in ("policy",)]

    def plant_text_defects(self) -> None:
        rng, k = self.rng, self.k
        chosen = rng.sample(self.plain_articles(), 6)
        for j, path in enumerate(chosen[:2]):
            word = TYPOS[(2 * k + j) % len(TYPOS)]
            self.articles[path]["extra"].append(f"<p>全体干部职工将{word}，确保目标任务圆满完成。</p>")
            self.truth.add("typo", self.code, (path, word))
        for path in chosen[2:4]:      # decoys: the right forms
            self.articles[path]["extra"].append(f"<p>我们将{RIGHT[(k + 5) % len(RIGHT)]}，奋力开创工作新局面。</p>")
            self.truth.decoy("typo")
        self.articles[chosen[5]]["extra"].append("<p>坚持以习近平新时代中国特色社会主义思想为指导，全心全意为中国人民服务。</p>")
        self.truth.decoy("grave_error")                # the right political terms
        if k % 5 == 0:
            word = GRAVE[k % len(GRAVE)]
            self.articles[chosen[4]]["extra"].append(f"<p>坚持以{word}为中心。</p>")
            self.truth.add("grave_error", self.code, (chosen[4], word))
        interp = [p for p, a in self.articles.items() if a["col"].category == "interpretation"][:1]
        for path in interp:            # a 文号 cited in a sentence: no policy document
            self.articles[path]["extra"].append(f"<p>近日，《{self.site.name}关于印发实施方案的通知》（{self.site.name[:2]}府发〔2025〕3号）"
                                                "正式印发，现就有关内容解读如下。</p>")

    # ------------------------------------------------------------ personal data

    def person_rows(self, heads: list[str], n: int, planted: list) -> list[list[str]]:
        rng = self.rng
        rows = [heads]
        for i in range(n):
            row = []
            for h in heads:
                if h in ID_HEADS:
                    v = valid_id(rng)
                    planted.append(("id", v))
                elif h in MOBILE_HEADS:
                    v = mobile(rng)
                    planted.append(("mobile", v))
                elif h in CARD_HEADS:
                    v = card(rng)
                    planted.append(("card", v))
                elif h == "姓名":
                    v = rng.choice(SURNAMES) + "某" + ("某" if rng.random() < 0.5 else "")
                elif h == "序号":
                    v = str(i + 1)
                else:
                    v = f"{rng.randint(5, 40) * 100}.00"
                row.append(v)
            rows.append(row)
        return rows

    def record(self, planted: list) -> None:
        for kind, number in planted:
            self.truth.add("pii", self.code, masked(kind, number))

    def plant_pii(self) -> None:
        rng = self.rng
        targets = rng.sample(self.plain_articles(), 8)
        planted: list = []
        n = valid_id(rng)
        self.articles[targets[0]]["extra"].append(f"<p>获奖人员：张某，身份证号{n}。</p>")
        planted.append(("id", n))
        m = mobile(rng)
        shown = m if rng.random() < 0.6 else f"{m[:3]}-{m[3:7]}-{m[7:]}"
        self.articles[targets[1]]["extra"].append(f"<p>联系人：李某，手机 {shown}。</p>")
        planted.append(("mobile", m))
        # A table whose header names the columns.
        heads = ["序号", "姓名", rng.choice(ID_HEADS), rng.choice(MOBILE_HEADS)] + \
            ([rng.choice(CARD_HEADS), "补贴金额（元）"] if rng.random() < 0.7 else [])
        rows = self.person_rows(heads, rng.randint(2, 5), planted)
        table = "<table class=\"gs\">" + "".join("<tr>" + "".join(f"<{'th' if r == 0 else 'td'}>{c}</{'th' if r == 0 else 'td'}>"
                                                               for c in row) + "</tr>" for r, row in enumerate(rows)) + "</table>"
        self.articles[targets[2]]["extra"].append(f"<p>现将名单公示如下：</p>{table}")
        self.truth.used("pii table head", "/".join(heads[2:]))
        # Decoys: numbers that are no personal data, in prose and in a table.
        self.articles[targets[3]]["extra"].append("".join(f"<p>{x}</p>" for x in decoy_numbers(rng)))
        project = luhn_complete("2019061800000" + str(rng.randrange(10000, 99999)))
        masked_id = valid_id(rng)
        self.articles[targets[4]]["extra"].append(
            "<table><tr><th>项目编号</th><th>项目名称</th><th>联系电话</th><th>负责人身份证号</th></tr>"
            f"<tr><td>{project}</td><td>农村公路提升改造工程</td><td>0797-8{rng.randrange(100000, 999999)}</td>"
            f"<td>{masked_id[:6]}********{masked_id[-4:]}</td></tr></table>")
        self.truth.decoy("pii", 11)
        # Attachments: one readable file with numbers, one with masked numbers only, one unreadable.
        kind = rng.choice(["csv", "xlsx", "docx", "pdf"])
        self.truth.used("pii attachment", kind)
        heads = ["序号", "姓名", rng.choice(ID_HEADS), rng.choice(CARD_HEADS), rng.choice(MOBILE_HEADS)]
        rows = self.person_rows(heads, rng.randint(2, 4), planted)
        title = "2025年耕地地力保护补贴发放名单"
        raw = {"csv": lambda: files.csv_bytes(rows), "xlsx": lambda: files.xlsx_bytes(rows, title),
               "docx": lambda: files.docx_bytes(rows, title),
               "pdf": lambda: files.pdf_bytes(title, rows, [40, 60, 200, 210, 130])}[kind]()
        name = f"/files/{self.k}/补贴名单.{kind}"
        self.P[name] = (200, files.CONTENT_TYPES[kind], raw)
        clean = files.csv_bytes([["序号", "姓名", "身份证号"], ["1", "王某", masked_id[:6] + "********" + masked_id[-4:]]])
        self.P[f"/files/{self.k}/公示.csv"] = (200, files.CONTENT_TYPES["csv"], clean)
        bad = rng.choice(["doc", "xls"])     # (.rar: the crawler only link-checks archives, see the report)
        self.P[f"/files/{self.k}/旧名单.{bad}"] = (200, files.CONTENT_TYPES[bad], files.RAR if bad == "rar" else files.OLE)
        self.truth.add("pii_unscanned", self.code, self.base + quote(f"/files/{self.k}/旧名单.{bad}"))
        self.truth.decoy("pii_unscanned", 2)
        links = (f'<a href="{name}">补贴名单</a> <a href="/files/{self.k}/公示.csv">公示名单</a> '
                 f'<a href="/files/{self.k}/旧名单.{bad}">旧名单</a>')
        self.articles[targets[5]]["extra"].append(f"<p>附件：{links}</p>")
        if self.k % 4 == 2:       # behind a download URL without an extension
            id_ = valid_id(rng)
            self.P["/download.jsp?id=7"] = (200, "text/csv; charset=utf-8", f"姓名,身份证号\n赵某,{id_}\n".encode())
            planted.append(("id", id_))
            self.articles[targets[6]]["extra"].append('<p><a href="/download.jsp?id=7">获奖人员名单</a></p>')
        self.record(planted)

    # ------------------------------------------------------------ message board

    def message_board(self) -> None:
        rng = self.rng
        layout = rng.choice(["table", "cards", "dl", "li", "status_only"])
        self.truth.used("message layout", layout)
        stale_board = rng.random() < 0.2
        msgs = []                     # (title, asked, answered, status, defect)
        def add(asked_ago, answered_after, status, defect):
            asked = AS_OF - dt.timedelta(days=asked_ago)
            answered = asked + dt.timedelta(days=answered_after) if answered_after is not None else None
            msgs.append((f"关于{rng.choice(TOPICS)}问题的咨询{len(msgs) + 1}", asked, answered, status, defect))
        if not stale_board:
            add(rng.randint(8, 30), rng.randint(2, 5), "已回复", False)                          # a recent answer
        for _ in range(rng.randint(3, 6)):          # answered in time
            ago = rng.randint(70, 300) if stale_board else rng.randint(8, 300)
            add(ago, rng.randint(2, min(60, ago - 1 if not stale_board else ago - 62)),
                rng.choice(["已回复", "已答复", "已办结", "已公开"]), False)
        add(rng.randint(30, 88), None, rng.choice(["办理中", "待回复", "未回复"]), False)      # pending, not yet overdue
        add(rng.randint(700, 800), rng.randint(120, 180), "已回复", False)                     # late, before the window
        if rng.random() < 0.7:
            add(rng.randint(95, 330), None, rng.choice(["未回复", "办理中", "未办结", "已受理"]), True)  # overdue
        if rng.random() < 0.5:
            add(rng.randint(380, 720), None, rng.choice(["未回复", "待回复"]), True)             # asked > 1 year ago
        if rng.random() < 0.5:
            ago = rng.randint(380, 450)
            add(ago, rng.randint(max(91, ago - 360), ago - (62 if stale_board else 1)), "已回复", True)  # late, into the window
        msgs.sort(key=lambda m: m[1], reverse=True)
        paths = []
        for i, (t, a, b, s, defect) in enumerate(msgs):
            p = f"/hdjl/msg/{self.k}_{i}.html"
            paths.append(p)
            if defect and (b is None or (b - a).days > 90):
                self.truth.add("message_unanswered", self.code, self.base + p)
            else:
                self.truth.decoy("message_unanswered")
            answer = f"<p>答复时间：{b.isoformat()}</p><p>{FILLER[0]}</p>" if b else f"<p>办理状态：{s}</p>"
            self.add(p, self.page(t, f"<h1>{e(t)}</h1><p>留言时间：{a.isoformat()}</p><p>{FILLER[1]}{FILLER[2]}</p>{answer}",
                                  [("互动交流", self.board_path), ("领导信箱", self.board_path), ("正文", "")], None, False))
        if stale_board:
            self.truth.add("message_stale", self.code, "board")
        else:
            self.truth.decoy("message_stale")
        if layout == "table":
            ask_h, answer_h, state_h = (rng.choice(["留言时间", "来信日期", "提问时间", "留言日期"]),
                                        rng.choice(["答复时间", "回复日期", "办结时间"]),
                                        rng.choice(["办理状态", "回复情况", "状态"]))
            self.truth.used("message table head", f"{ask_h}/{answer_h}/{state_h}")
            rows = "".join(f'<tr><td><a href="{p}">{e(t)}</a></td><td>{a.isoformat()}</td><td>{b.isoformat() if b else ""}</td>'
                           f"<td>{s}</td></tr>" for p, (t, a, b, s, _) in zip(paths, msgs))
            body = (f"<table class=\"msg\"><tr><th>信件标题</th><th>{ask_h}</th><th>{answer_h}</th><th>{state_h}</th></tr>"
                    f"{rows}</table>")
        elif layout == "cards":
            body = "".join(f'<div class="msg-item"><h4><a href="{p}">{e(t)}</a></h4><p><span>来信时间：{a.isoformat()}</span>'
                           f'{f" <span>回复时间：{b.isoformat()}</span>" if b else ""} <em class="status">{s}</em></p></div>'
                           for p, (t, a, b, s, _) in zip(paths, msgs))
        elif layout == "dl":
            body = "".join(f'<dl class="xj"><dt><a href="{p}">{e(t)}</a></dt><dd>提问日期：{a.isoformat()}</dd>'
                           f'<dd>答复日期：{b.isoformat() if b else ""}</dd><dd>办理状态：{s}</dd></dl>'
                           for p, (t, a, b, s, _) in zip(paths, msgs))
        elif layout == "status_only":      # answer dates only on each message's own page
            body = "<ul class=\"xj-list\">" + "".join(
                f'<li><a href="{p}">{e(t)}</a><span>留言时间：{a.isoformat()}</span><span class="zt">{s}</span></li>'
                for p, (t, a, b, s, _) in zip(paths, msgs)) + "</ul>"
        else:
            body = "<ul class=\"msg-list\">" + "".join(
                f'<li><a href="{p}">{e(t)}</a> 留言时间：{a.isoformat()} 答复时间：{b.isoformat() if b else "—"} 状态：{s}</li>'
                for p, (t, a, b, s, _) in zip(paths, msgs)) + "</ul>"
        self.add(self.board_path, self.page("领导信箱", f"<h3>领导信箱</h3>{body}", [("互动交流", self.board_path), ("领导信箱", "")],
                                            None, False))
        # An excluded channel (在线访谈) with an old open item: never a message finding.
        old = (AS_OF - dt.timedelta(days=200)).isoformat()
        self.add("/hdjl/zxft/", self.page("在线访谈", f'<ul><li><a href="/hdjl/zxft/1.html">访谈预告：{e(self.site.name)}负责人谈民生工作</a>'
                                                  f" 留言时间：{old} 状态：未回复</li></ul>", [("互动交流", self.board_path), ("在线访谈", "")],
                                          None, False))
        self.add("/hdjl/zxft/1.html", self.page("访谈预告", f"<h1>访谈预告</h1><p>{FILLER[3]}</p>", [("在线访谈", "/hdjl/zxft/")],
                                                 None, False))
        self.truth.decoy("message_unanswered")
        self.extra_links = '<a href="/hdjl/zxft/">在线访谈</a>'

    # ------------------------------------------------------------ links, dark links, footer

    def links_and_marks(self) -> None:
        rng, k = self.rng, self.k
        chosen = rng.sample(self.plain_articles(), 6)
        broken = []
        for j, path in enumerate(chosen[:3]):
            target = f"/files/removed_{j}.html"
            self.articles[path]["extra"].append(f'<p>相关链接：<a href="{target}">原文链接{j}</a></p>')
            broken.append(target)
        if k % 3 == 1:
            self.articles[chosen[3]]["extra"].append('<p><a href="/cgi/error.jsp">办事查询</a></p>')
            self.add("/cgi/error.jsp", b"<html><body>Internal Server Error</body></html>", status=500)
            broken.append("/cgi/error.jsp")
        for target in broken:
            if target != "/cgi/error.jsp":
                self.P[target] = (404, "text/html", b"<html><body>404</body></html>")
            self.truth.add("broken_link", self.code, self.base + target)
            self.truth.internal_broken.add(self.base + target)
        if k % 4 == 3:
            self.articles[chosen[4]]["extra"].append('<div style="display:none"><a href="http://www.pj-casino.invalid/">澳门葡京娱乐</a></div>')
            self.truth.add("dark_link", self.code, self.base + chosen[4])
            self.truth.add("broken_link", self.code, "http://www.pj-casino.invalid/")     # its host does not resolve
        css = "body{margin:0}.nav a{padding:0 8px}.sub-menu{display:none}"
        if k % 4 == 1:
            css += ".yqlj-box{position:absolute;left:-9999px}"
            self.articles[chosen[5]]["extra"].append('<div class="yqlj-box"><a href="http://www.hg-bet.invalid/">皇冠体育投注</a></div>')
            self.truth.add("dark_link", self.code, self.base + chosen[5])
            self.truth.add("broken_link", self.code, "http://www.hg-bet.invalid/")
        self.truth.decoy("dark_link")                    # the hidden drop-down menu on every page
        self.P["/css/site.css"] = (200, "text/css", css.encode())
        # Footer marks of the homepage: some dropped, one code wrong now and then.
        drop = set(rng.sample(MARKS, rng.choice([0, 0, 1, 1, 2])))
        wrong = f"3699{(k + 50):06d}" if "code" not in drop and rng.random() < 0.1 else ""
        for mark in drop:
            self.truth.add("footer_missing", self.code, mark)
        if wrong:
            self.truth.add("footer_missing", self.code, "code")
        self.truth.decoy("footer_missing", len(MARKS) - len(drop) - bool(wrong))
        self.home_footer = footer_html(self.footer_style, host=self.site.host_unit, code=self.code, icp="赣ICP备12345678号-1",
                                       psb=f"赣3601020200{k:04d}", gov=self.gov, drop=drop, wrong_code=wrong)

    # ------------------------------------------------------------ homepage

    def homepage(self) -> None:
        rng, k = self.rng, self.k
        news = next(c for c in self.columns if c.dir == "ywdt")
        notice = next(c for c in self.columns if c.dir == "tzgg")
        form = rng.choice(["iso", "md_bracket", "cn"] if self.fam.name != "jyh" else ["iso", "cn"])
        self.truth.used("homepage date form", form)
        sections = ""
        for col, n in ((news, 8), (notice, 6)):
            items = col.items[:n]
            sections += (f'<div class="box"><div class="box-title"><h2>{col.name}</h2><a href="{col.list_paths[0]}">更多&gt;&gt;</a></div>'
                         f'{render_list("ul", items, form, rng)}</div>')
        newest = max(c.items[0][2] for c in (news, notice))
        if (AS_OF - newest).days > 14:
            self.truth.add("homepage_stale", self.code, "home")
        else:
            self.truth.decoy("homepage_stale")
        externals = f'<a href="{self.gov}/">中国政府网</a>'
        self.truth.decoy("external_link_suspect")
        if k % 6 == 5:
            externals += f' <a href="http://127.0.0.1:{self.ext["bad"]}/">友情链接</a>'
            self.truth.add("external_link_suspect", self.code, f"http://127.0.0.1:{self.ext['bad']}/")
        if k % 7 == 6:
            dead = f"http://www{k}.expired-partner.invalid/"
            externals += f' <a href="{dead}">合作单位</a>'
            self.truth.add("external_link_suspect", self.code, dead)
            self.truth.add("broken_link", self.code, dead)
        main = f'{sections}<div class="links">友情链接：{externals} {self.extra_links}</div>'
        body = shell(site_name=self.site.name, title=self.site.name, main=main, nav=self.nav_html, crumbs=None,
                     crumb_form=self.crumb_form, footer=self.home_footer, family=self.fam.name, clock_date=AS_OF)
        self.add("/", body)
        self.add("/index.html", body, same_as="/")
        for img in ("dzjg", "jiucuo", "logo", "ga", "red", "jg", "zhaocuo"):
            self.add(f"/img/{img}.png", b"\x89PNG\r\n", ctype="image/png")
        self.add("/img/new.gif", b"GIF89a", ctype="image/gif")
        self.add("/js/_trs_ta.js", b"/* statistics */", ctype="application/javascript")
        for path, title in (("/wza/", "无障碍浏览"), ("/en/", "English")):
            self.add(path, self.page(title, f"<h3>{title}</h3><p>{FILLER[0]}</p>", [(title, "")], None, False))

    # ------------------------------------------------------------ articles

    def render_articles(self) -> None:
        rng = self.rng
        for path, a in self.articles.items():
            col, day, t = a["col"], a["day"], a["title"]
            label = rng.choice(["发布时间：", "发布日期：", "日期：", "时间："])
            info = f'<div class="info"><span>{label}{fmt_date(day, rng.choice(["iso", "cn"]))}</span><span>来源：{self.site.name}</span></div>'
            short = rng.random() < 0.1 and not a["extra"] and a.get("meta") is None
            prose = f"<p>{rng.choice(FILLER)}</p>" if short else \
                "".join(f"<p>{rng.choice(FILLER)}{rng.choice(FILLER)}</p>" for _ in range(3))
            if a.get("meta") is not None:
                docno = f'<p class="docno">{a["docno"]}</p>' if a.get("docno") else ""
                line = f'<div class="pages-date">{a["dateline"]}</div>' if a.get("dateline") else ""
                body = f'{a["meta"]}<div class="article"><h1>{e(t)}</h1>{line}{docno}{prose}'
            else:
                body = f'<div class="article"><h1>{e(t)}</h1>{info}{prose}'
            if short or rng.random() < 0.15:      # a related-items box with dates: still an article
                rel = [x for x in col.items if x[1] != path][:3]
                body += "<div class=\"related\"><h4>相关信息</h4>" + render_list("ul", rel, "iso", rng) + "</div>"
            body += "".join(a["extra"]) + "</div>"
            self.add(path, self.page(t, body, [(self.section, "/zwgk/"), (col.name, col.list_paths[0]), ("正文", "")], col))
