"""Typo dictionary bench: size, coverage of published error lists, false positives on clean
official text, and recall/precision on generated pages with planted errors beside decoys.

Clean text = the real circulars and the indicator spec in shared/ (when present) plus sentences
generated from 公文 templates (通知, 通报, 工作动态, 政策解读, 公示, 会议纪要) that carry decoys:
the correct form of every entry, every guard word (exception) and word pairs whose seam contains a
wrong form (tests/fixtures/typo_sources/boundary_pairs.txt). Every hit on it is printed.

Planted pages: clean sentences and decoys, plus errors put into the same frames: pairs from the
published lists (tests/fixtures/typo_sources) and entries of the dictionary itself. A planted
error counts as found when a hit overlaps it; any other hit is a false positive.
Run: python bench/typo_precision.py [--seed N] [--mb 2.2] [--pages 600] [--dictionaries DIR]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.checks.typos import Dictionary, Hit, load_dictionary  # noqa: E402

SOURCES = ROOT / "tests" / "fixtures" / "typo_sources"
LISTS = [  # file, label, column of the wrong form
    ("yaowenjiaozi_100.tsv", "《咬文嚼字》最常见的100个别字（可读92条）", 0),
    ("yaowenjiaozi_top10.tsv", "《咬文嚼字》年度十大语文差错（书写类）", 1),
    ("issue11_examples.tsv", "议题11 公文示例", 0),
    ("gf1001_2001.tsv", "GF 1001-2001 异形词非推荐词形", 0),
]
EXTERNAL = ("yaowenjiaozi_100.tsv", "yaowenjiaozi_top10.tsv", "issue11_examples.tsv")
# Hits on the clean corpus that are right: the spec quotes these wrong forms as examples of errors.
JUSTIFIED = {"中国入民": "spec quotes it as an example", "烈土": "spec quotes it as an example",
             "党十九大": "spec quotes it as an example"}

PLACES = ["云溪市", "江州市", "青石县", "临川区", "白沙镇", "东湖街道", "南岭乡", "西塘村", "高新区", "滨江新区"]
UNITS = ["市人民政府办公室", "县发展和改革局", "区教育局", "市卫生健康委员会", "县农业农村局", "市生态环境局",
         "区住房和城乡建设局", "市市场监督管理局", "县人力资源和社会保障局", "市应急管理局", "区民政局", "市政务服务中心"]
TASKS = ["营商环境优化", "乡村振兴", "安全生产专项整治", "政务公开标准化", "城乡居民医保参保", "老旧小区改造",
         "防汛抗旱", "森林防火", "秸秆禁烧", "义务教育优质均衡", "农民工工资支付保障", "政务服务一网通办",
         "垃圾分类", "文明城市创建", "耕地保护", "消防安全检查", "食品安全抽检", "信访积案化解"]
TEMPLATES = [
    "为深入贯彻落实{place}关于{task}的部署要求，{unit}制定了工作方案，明确责任分工和时间节点。",
    "截至{month}月底，{place}累计完成{task}项目{n}个，完成年度目标任务的{p}%。",
    "{unit}召开{task}工作座谈会，听取基层意见建议，研究部署下一阶段重点工作。",
    "会议要求，各单位要按照职责分工，切实履行主体责任，确保{task}各项措施落到实处。",
    "根据《{place}{task}实施办法》有关规定，现将{year}年度第{n}批名单予以公示，公示期为{d}个工作日。",
    "公示期间，如对公示对象有异议，请以书面形式向{unit}反映，并签署真实姓名和联系方式。",
    "本次活动共签订合作协议{n}份，涉及资金{p}亿元，覆盖{place}所有乡镇（街道）。",
    "{unit}坚持问题导向，对检查发现的问题建立台账，逐项明确整改措施、责任人和完成时限。",
    "政策解读：本办法自{year}年{month}月{d}日起施行，适用于在{place}行政区域内从事{task}相关活动的单位和个人。",
    "申请人可登录{place}政务服务网，在线填写申请表并上传附件，也可到{unit}窗口现场办理。",
    "报名时间截止后，{unit}将对报名材料进行资格审查，审查结果通过门户网站发布。",
    "{year}年以来，{place}持续推进{task}，群众满意度稳步提升，有关做法被上级部门转发推广。",
    "会议指出，当前{task}形势依然严峻复杂，各地要坚持底线思维，强化风险防范，毫不松懈抓好各项工作。",
    "{unit}主要负责同志带队赴{place}开展调研，实地察看{task}进展情况，协调解决存在的困难和问题。",
    "会议纪要：一、原则同意{unit}提出的{task}工作方案；二、请相关部门加强协作，按期报送进展情况。",
    "通报指出，个别单位对{task}重视不够，工作进度滞后，存在敷衍应付的情况，要求限期整改到位。",
    "全市共投入财政资金{p}亿元，惠及群众{n}万人次，其中发放补贴{p}万元、拨付专项资金{n}笔。",
    "下一步，{place}将进一步健全长效机制，巩固拓展{task}成果，推动各项工作提质增效。",
    "{unit}组织开展了{task}业务培训，{n}余名工作人员参加培训并通过考核。",
    "经研究决定，授予{place}{n}个单位“{task}先进集体”称号，对表现突出的个人予以表彰。",
    "联系人：{unit}办公室，联系电话：0791-{tel}，通讯地址：{place}人民路{n}号。",
    "以上数据来源于{unit}，统计时间截至{year}年{month}月{d}日，如有疑问请咨询{place}统计局。",
]
DECOY_FRAMES = [
    "{unit}在推进{w}的过程中，注重总结经验，及时报送有关情况。",
    "材料中的“{w}”一词，经审核用字无误。",
    "{place}结合实际，把{w}相关工作纳入年度考核。",
    "据了解，{w}已写入{place}有关文件。",
    "会上，与会同志围绕{w}展开讨论，提出了意见建议。",
]


def read_pairs(name: str, col: int) -> list[tuple[str, str]]:
    out = []
    for line in (SOURCES / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            out.append((parts[col], parts[col + 1]))
    return out


def corrected(text: str, hits: list[Hit]) -> str:
    for h in sorted(hits, key=lambda h: -h.start):
        text = text[:h.start] + h.entry.right + text[h.end:]
    return text


def coverage(d: Dictionary) -> list[tuple[str, int, int, int, list[str]]]:
    """(label, pairs, corrected to the listed form, flagged at all, missed) per source list."""
    rows = []
    for name, label, col in LISTS:
        pairs = read_pairs(name, col)
        fixed = flagged = 0
        missed = []
        for wrong, right in pairs:
            text = f"，{wrong}。"
            hits = d.scan(text)
            flagged += bool(hits)
            ok = bool(hits) and corrected(text, hits) == f"，{right}。"
            fixed += ok
            if not ok:
                missed.append(wrong)
        rows.append((label, len(pairs), fixed, flagged, missed))
    return rows


def shared_text() -> tuple[str, list[str]]:
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        if (base / "circulars").is_dir():
            files = sorted((base / "circulars").glob("*.txt")) + [base / "spec" / "indicators.md"]
            files = [f for f in files if f.exists()]
            return "\n".join(f.read_text(encoding="utf-8") for f in files), [f.name for f in files]
    return "", []


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；！？])|\n", text)      # whole sentences only: no word cut at a line end
    return [p.strip() for p in parts if len(p.strip()) >= 12 and p.strip()[-1] in "。；！？"
            and re.search(r"[\u4e00-\u9fff]{6}", p)]


class Generator:
    def __init__(self, d: Dictionary, rng: random.Random, real: list[str]):
        self.rng, self.real = rng, real
        rights = {e.right for e in d.entries.values()}
        guards = {x for e in d.entries.values() for x in e.exceptions}
        pairs = [w for w in (SOURCES / "boundary_pairs.txt").read_text(encoding="utf-8").splitlines()
                 if w and not w.startswith("#")]
        self.decoys = sorted(rights) + sorted(guards) + pairs
        self.decoy_counts = (len(rights), len(guards), len(pairs))

    def fill(self, template: str, **extra) -> str:
        r = self.rng
        return template.format(place=r.choice(PLACES), unit=r.choice(UNITS), task=r.choice(TASKS),
                               year=r.randint(2019, 2025), month=r.randint(1, 12), d=r.randint(1, 28),
                               n=r.randint(2, 60), p=r.randint(1, 99), tel=r.randint(1000000, 8999999), **extra)

    def clean_sentence(self) -> str:
        if self.real and self.rng.random() < 0.35:
            return self.rng.choice(self.real)
        return self.fill(self.rng.choice(TEMPLATES))

    def decoy_sentence(self, word: str | None = None) -> str:
        return self.fill(self.rng.choice(DECOY_FRAMES), w=word or self.rng.choice(self.decoys))

    def page(self, sentences_n: int) -> str:
        out = []
        for _ in range(sentences_n):
            out.append(self.clean_sentence())
            if self.rng.random() < 0.6:
                out.append(self.decoy_sentence())
        return "".join(out)


def scan_clean(d: Dictionary, gen: Generator, real_text: str, mb: float):
    """Every decoy once, the real documents, then generated pages up to `mb` megabytes."""
    chunks = [real_text] if real_text else []
    chunks += [gen.decoy_sentence(w) for w in gen.decoys]
    size = sum(len(c.encode("utf-8")) for c in chunks)
    while size < mb * 1_000_000:
        page = gen.page(30)
        chunks.append(page)
        size += len(page.encode("utf-8"))
    chars = sum(len(c) for c in chunks)
    t0 = time.perf_counter()
    fps = []
    for c in chunks:
        for h in d.scan(c):
            fps.append((h, c[max(0, h.start - 12): h.end + 12]))
    return size, chars, fps, time.perf_counter() - t0


def planted(d: Dictionary, gen: Generator, pages: int):
    """Recall per population and precision, matched per planted error."""
    rng = gen.rng
    external = [p for name in EXTERNAL for p in read_pairs(name, 1 if "top10" in name else 0)]
    own = [(e.wrong, e.right) for e in d.entries.values() if not e.grave]
    stats = {"external": [0, 0], "dictionary": [0, 0]}
    tp_hits = fp_hits = 0
    fp_examples = []
    for _ in range(pages):
        parts, spans = [], []
        plants = [("external", rng.choice(external)) for _ in range(2)] + [("dictionary", rng.choice(own))]
        for i in range(12):
            parts.append(gen.clean_sentence())
            parts.append(gen.decoy_sentence())
            if i % 4 == 1 and plants:
                pop, (wrong, right) = plants.pop()
                frame = rng.choice(DECOY_FRAMES)
                head, _, tail = gen.fill(frame, w="\x00").partition("\x00")
                parts.append(head)
                start = sum(map(len, parts))
                parts.append(wrong)
                spans.append((pop, start, start + len(wrong)))
                parts.append(tail)
        text = "".join(parts)
        hits = d.scan(text)
        matched = set()
        for h in hits:
            k = next((i for i, (_, s, e) in enumerate(spans) if h.start < e and s < h.end), None)
            if k is None:
                fp_hits += 1
                if len(fp_examples) < 10:
                    fp_examples.append(text[max(0, h.start - 12): h.end + 12])
            else:
                tp_hits += 1
                matched.add(k)
        for i, (pop, _, _) in enumerate(spans):
            stats[pop][0] += 1
            stats[pop][1] += i in matched
    return stats, tp_hits, fp_hits, fp_examples


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20251115)
    ap.add_argument("--mb", type=float, default=2.2, help="size of the clean corpus in MB (UTF-8)")
    ap.add_argument("--pages", type=int, default=600, help="generated pages with planted errors")
    ap.add_argument("--dictionaries", help="folder with typos.tsv/grave.tsv (default: resources)")
    args = ap.parse_args(argv)
    d = load_dictionary(args.dictionaries)
    typo_n = sum(not e.grave for e in d.entries.values())
    guard_n = sum(len(e.exceptions) for e in d.entries.values())
    print(f"dictionary: {typo_n} typo pairs, {len(d) - typo_n} grave pairs, {guard_n} guard words; seed {args.seed}")
    print("coverage of published lists (corrected to the listed form / flagged):")
    for label, n, fixed, flagged, missed in coverage(d):
        print(f"  {label}: {fixed}/{n} = {fixed / n:.2f}  (flagged {flagged})")
        if len(missed) <= 12:
            print(f"    not caught: {' '.join(missed) or '-'}")

    real_text, names = shared_text()
    gen = Generator(d, random.Random(args.seed), sentences(real_text))
    print(f"clean corpus: real documents {len(names)} files ({len(real_text):,} chars), "
          f"decoys {gen.decoy_counts[0]} correct forms + {gen.decoy_counts[1]} guard words + "
          f"{gen.decoy_counts[2]} boundary pairs, template pages")
    size, chars, fps, secs = scan_clean(d, gen, real_text, args.mb)
    justified = [(h, c) for h, c in fps if h.entry.wrong in JUSTIFIED and h.entry.wrong in real_text]
    unexplained = [(h, c) for h, c in fps if (h, c) not in justified]
    print(f"  scanned {size / 1e6:.2f} MB = {chars:,} characters in {secs:.2f} s: {len(fps)} hits, "
          f"{len(justified)} justified, {len(unexplained)} false positives")
    for h, ctx in justified:
        print(f"    justified {h.entry.wrong}→{h.entry.right} ({JUSTIFIED[h.entry.wrong]}): …{ctx}…")
    for h, ctx in unexplained[:20]:
        print(f"    FALSE POSITIVE {h.entry.wrong}→{h.entry.right}: …{ctx}…")

    stats, tp, fp, examples = planted(d, gen, args.pages)
    found = sum(s[1] for s in stats.values())
    total = sum(s[0] for s in stats.values())
    precision = tp / (tp + fp) if tp + fp else 1.0
    print(f"planted pages: {args.pages}, errors {total}, found {found}: recall {found / total:.3f}, "
          f"precision {precision:.3f} ({tp} hits on errors, {fp} elsewhere)")
    for pop, (n, k) in stats.items():
        print(f"  {pop}: recall {k}/{n} = {k / n:.3f}")
    for ctx in examples:
        print(f"    false positive: …{ctx}…")


if __name__ == "__main__":
    main()
