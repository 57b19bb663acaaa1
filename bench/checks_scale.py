"""Scale check: every page check and collector over 3,000 synthetic government pages.

Builds realistic pages in memory (homepage, list pages, long articles with typos and tables,
policy documents, message lists) and times SiteRun.add_page() for each, then finish().
Each Page is parsed once (Page.tree) and dropped after add_page, as in a real run.
Run: python bench/checks_scale.py [--pages N]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.checks.base import CheckContext, Page  # noqa: E402
from app.core.checks.catalog import SiteInputs, SiteRun  # noqa: E402

AS_OF = dt.date(2025, 11, 15)
HOME = "https://www.yunxi.gov.cn/"
SITE = {"site_code": "3607000001", "name": "云溪市人民政府", "url": HOME, "host_unit": "云溪市人民政府办公室"}
NAV = "".join(f'<li><a href="/c{i}/">{n}</a></li>' for i, n in enumerate(
    ["首页", "政务公开", "工作动态", "通知公告", "政策文件", "人事信息", "统计数据", "互动交流", "办事服务", "走进云溪"]))
FOOTER = ('<div class="footer"><p>主办单位：云溪市人民政府办公室</p><p>网站标识码：3607000001 赣ICP备05001234号-1 '
          '赣公网安备 36070202000123号</p><p>Copyright © 2008-2025 版权所有</p></div>')
PARA = ("会议强调，要深入学习贯彻党的二十届三中全会精神，坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，"
        "统筹发展和安全，扎实推动高质量发展，持续优化营商环境，切实保障和改善民生，确保全年目标任务圆满完成。")


def shell(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_云溪市人民政府</title>"
            f"<style>.sub{{display:none}}</style><script src='/js/a.js'></script></head><body>"
            f"<div class='header'><img src='/logo.png' alt='logo'></div><div class='nav'><ul>{NAV}</ul></div>"
            f"<div class='location'>当前位置：首页 &gt; 政务公开 &gt; {title}</div>{body}{FOOTER}</body></html>")


def list_page(rng: random.Random, i: int) -> str:
    rows = "".join(
        f'<li><a href="/c{i}/{j}.html" title="关于做好第{j}项重点工作的通知">关于做好第{j}项重点工作的通知</a>'
        f'<span>{(AS_OF - dt.timedelta(days=rng.randint(0, 400))).isoformat()}</span></li>' for j in range(20))
    return shell(f"栏目{i}", f"<ul class='list'>{rows}</ul><div class='page'>共20条</div>")


def article(rng: random.Random, i: int) -> str:
    paras = "".join(f"<p>{PARA}</p>" for _ in range(rng.randint(5, 25)))
    typo = "<p>各部门要再接再励，把工作布署到位。</p>" if i % 50 == 0 else ""
    table = ("<table><tr><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>"
             + "".join(f"<tr><td>张{j}</td><td>3607021985031212{j % 10}{j % 10}</td><td>139****{j:04d}</td></tr>"
                       for j in range(30)) + "</table>") if i % 10 == 0 else ""
    related = "".join(f'<li><a href="/x/{j}.html">相关新闻标题第{j}条</a> 2025-10-{j + 10:02d}</li>' for j in range(5))
    return shell(f"新闻{i}", f"<div class='article'><h1>新闻标题{i}</h1><div class='info'>发布时间：2025-10-01</div>"
                             f"{paras}{typo}{table}</div><ul class='related'>{related}</ul>")


def policy(i: int) -> str:
    meta = ("<table><tr><th>索引号</th><td>000014349/2025-00012</td><th>发文机关</th><td>云溪市人民政府</td></tr>"
            f"<tr><th>成文日期</th><td>2025年3月1日</td><th>发文字号</th><td>云府发〔2025〕{i}号</td></tr></table>")
    return shell("政策文件", meta + f"<div class='doc'><p>云府发〔2025〕{i}号</p>{PARA * 10}</div>")


def messages(i: int) -> str:
    rows = "".join(f"<tr><td><a href='/m/{j}'>咨询事项{j}</a></td><td>2025-0{1 + j % 9}-01</td>"
                   f"<td>2025-0{1 + j % 9}-09</td><td>已回复</td></tr>" for j in range(20))
    return shell("市长信箱", f"<table><tr><th>标题</th><th>留言时间</th><th>答复时间</th><th>状态</th></tr>{rows}</table>")


def pages(n: int, seed: int = 7):
    rng = random.Random(seed)
    yield Page(HOME, 200, shell("首页", list_page(rng, 0)), content_type="text/html", is_home=True)
    for i in range(1, n):
        kind = i % 10
        html = list_page(rng, i) if kind < 2 else policy(i) if kind == 2 else messages(i) if kind == 3 \
            else article(rng, i)
        yield Page(f"{HOME}p/{i}.html", 200, html, content_type="text/html")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=3000)
    args = ap.parse_args()
    ctx = CheckContext(AS_OF, SITE)
    run = SiteRun(ctx)
    size = 0
    t0 = time.perf_counter()
    for page in pages(args.pages):          # built lazily and dropped after use, as in a real run
        size += len(page.text)
        run.add_page(page)
    t1 = time.perf_counter()
    findings = run.finish(SiteInputs())
    t2 = time.perf_counter()
    print(f"{args.pages} pages, {size / 1e6:.1f} MB HTML: add_page {t1 - t0:.1f} s "
          f"({(t1 - t0) / args.pages * 1000:.1f} ms/page incl. building the HTML), finish {t2 - t1:.2f} s, "
          f"{len(findings)} findings")


if __name__ == "__main__":
    main()
