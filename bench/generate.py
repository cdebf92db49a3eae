"""Write N synthetic city and provincial plans in the formats of the bundled plans.

    python bench/generate.py --plans 3000 --seed 1 --out bench/corpora/3000

The corpus is for benchmarks: it has the size and shape of the users' real corpus (every
province's and city's plans, ~33 tasks and ~25 KB per plan) without their text. Each plan
takes one of the three layouts the bundled city plans show:

- ``fuzhou``: markdown-ish headings (``## 二、``, ``#### 1. 标题``), one line per paragraph,
  〔责任单位：…〕 at the end of the paragraph or as a paragraph of its own, a tab-separated
  target table, the odd sentence broken across a blank line by the PDF extraction;
- ``quanzhou``: plain headings, inline tasks "1.标题。正文〔责任单位：市数字办、工信局…〕" whose
  units share the 市 prefix written once;
- ``xiamen``: every line wrapped at the page width with a blank line between lines, so the
  heading "1.千兆光网建设行动" stands alone and （责任单位：…） is split across lines, an annex
  table after "附件：".

Every layout also has sub-items (one numbered item holding several "名称。正文（责任单位：…）"
paragraphs, each a task), tasks without annotation, and 保障措施 items. Task sentences are
drawn from the bundled plans (annotations removed, 福建 place names left out) and varied
(synonyms, numbers). Cities are real prefecture-level cities and provinces outside 福建, so
no generated unit collides with a curated 福建 agency.

Plan ``i`` depends only on the seed and ``i``: the corpus of 50 plans is the first 50 plans
of the corpus of 3,000, and ``--plans 3001`` adds exactly one plan to the corpus of 3,000.
The expected task and unit counts of each plan go to ``manifest.json`` (tests compare the
parser's counts with them); the plans go to ``plans/``.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Prefecture-level cities outside 福建 (none shares its first two characters with a 福建
# region name in data/regions.csv, so region_of reads each title's city as written).
CITIES = """
杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城
扬州 镇江 泰州 宿迁 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶 济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安
威海 日照 临沂 德州 聊城 滨州 菏泽 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳
商丘 信阳 周口 驻马店 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 长沙 株洲 湘潭 衡阳
邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州
梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮 南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色
贺州 河池 来宾 崇左 海口 三亚 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安
达州 雅安 巴中 资阳 贵阳 六盘水 遵义 安顺 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 西安 铜川 宝鸡 咸阳
渭南 延安 汉中 榆林 安康 商洛 兰州 天水 西宁 银川 石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊
衡水 太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁 呼和浩特 包头 沈阳 大连 鞍山 抚顺 本溪 丹东
锦州 营口 阜新 辽阳 盘锦 铁岭 葫芦岛 长春 吉林 四平 辽源 通化 白山 松原 白城 哈尔滨 齐齐哈尔 鸡西 鹤岗
双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 乌鲁木齐 克拉玛依 拉萨
""".split()
PROVINCES = """
浙江 江苏 安徽 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 河北 山西 辽宁 吉林 黑龙江
""".split()
PROVINCE_SHARE = 0.08  # every province issues plans too, far fewer than its cities

TOPICS = ["新型基础设施建设", "数字经济发展", "数字政府建设", "智慧城市建设", "5G应用发展", "算力基础设施建设",
          "工业互联网创新发展", "数据要素市场培育", "数字乡村发展", "智能制造推进", "信息消费提升", "城市大脑建设"]
PLAN_KINDS = ["三年行动计划", "三年行动方案", "实施方案", "工作方案"]
STYLES = ["fuzhou", "quanzhou", "xiamen"]

CITY_UNITS = ["发改委", "工信局", "数字办", "大数据局", "财政局", "自然资源局", "住建局", "交通运输局", "农业农村局",
              "商务局", "文旅局", "卫健委", "教育局", "科技局", "公安局", "应急局", "生态环境局", "水利局", "城管局",
              "人社局", "民政局", "统计局", "国资委", "医保局", "体育局", "金融监管局", "资源规划局", "政务服务中心"]
CITY_PARTY_UNITS = ["市委网信办", "市委宣传部", "市委编办", "市委机要保密局"]
PROVINCE_UNITS = ["发改委", "工信厅", "数字办", "财政厅", "自然资源厅", "住建厅", "交通运输厅", "农业农村厅", "商务厅",
                  "文旅厅", "卫健委", "教育厅", "科技厅", "公安厅", "应急厅", "生态环境厅", "水利厅", "人社厅", "国资委",
                  "医保局", "市场监管局", "大数据局"]
PROVINCE_PARTY_UNITS = ["省委网信办", "省委宣传部", "省委编办"]
# Units of a city plan written with the city's name or as a collective; {c} is the city's short name.
CITY_OTHERS = ["{c}高新区管委会", "{c}经开区管委会", "电信{c}分公司", "移动{c}分公司", "联通{c}分公司", "国网{c}供电公司",
               "{c}广电网络公司", "{c}数据集团", "中国人民银行{c}市分行", "市通信管理局", "市气象局", "市直有关单位",
               "各通信运营商", "市属有关国企", "各行业主管部门"]
CITY_COLLECTIVES = ["各县（市、区）人民政府", "各县（市）区政府", "各区人民政府", "各开发区管委会"]
PROVINCE_OTHERS = ["{c}省通信管理局", "国网{c}省电力公司", "{c}广电网络集团", "省直有关单位", "各通信运营商",
                   "省属有关国企", "各行业主管部门"]
PROVINCE_COLLECTIVES = ["各设区市人民政府", "各县（市、区）人民政府"]

SUB_ITEM_NAMES = ["人工智能", "元宇宙", "卫星互联网", "大数据平台", "智慧港口", "智慧机场", "智慧物流", "智慧交通",
                  "智慧医疗", "智慧教育", "智慧文旅", "智慧体育", "区块链", "工业软件", "数字孪生", "车联网", "智慧社区",
                  "智慧应急", "数字农业", "智慧水务"]
SECTION_TITLES = ["加速布局信息基础设施", "稳步发展融合基础设施", "前瞻布局创新基础设施", "实施网络传输提速行动",
                  "推进算力能力提升行动", "深化数据要素赋能行动", "推动产业数字化转型", "提升数字政府服务效能",
                  "建设智慧城市运行体系", "强化数字安全保障能力", "培育数字经济新业态", "推进数字社会建设"]
CHAPTER_TITLES = ["主要任务", "重点任务", "夯实数字基础设施底座", "推进融合应用创新", "构建数字发展新格局"]
GUARANTEE_TITLES = ["加强组织领导", "加强统筹协调", "加大要素保障", "强化资金支持", "加强人才支撑", "优化发展环境",
                    "落实安全保障", "强化督查考核"]
TITLE_VERBS = ["加快", "推进", "深化", "打造", "完善", "构建", "提升", "实施", "强化", "推动", "建设", "布局"]
TITLE_OBJECTS = ["千兆光网", "5G网络", "数据中心", "算力网络", "工业互联网", "物联感知网络", "城市大脑", "智慧交通",
                 "智慧医疗", "政务云平台", "公共数据平台", "卫星互联网", "车联网", "充电基础设施", "智慧电网", "数字乡村",
                 "智能计算中心", "区块链基础设施", "网络安全体系", "科研创新平台", "产业创新平台", "公共服务平台",
                 "智慧港口", "智慧水利", "智慧气象", "智慧农业", "数字文旅", "智慧教育", "智慧养老", "智慧社区"]
TITLE_TAILS = ["", "建设", "建设行动", "工程", "应用", "体系", "能力", "升级", "应用示范", "建设和应用推广",
               "能力提升行动", "全面覆盖", "提质增效工程", "体系建设", "示范标杆建设"]
TITLE_LEADS = ["", "", "", "全面", "高水平", "加快推进", "大力", "统筹", "持续"]
SYNONYMS = [("加快", "加速"), ("推进", "推动"), ("建设", "打造"), ("完善", "健全"), ("提升", "提高"), ("全市", "全域"),
            ("积极", "大力"), ("支持", "鼓励"), ("深化", "深入推进"), ("构建", "建立")]
# Sentences naming a 福建 place or institution are left out; the generated plans name their own city.
FUJIAN_WORDS = ["福建", "福州", "泉州", "厦门", "漳州", "莆田", "三明", "南平", "龙岩", "宁德", "平潭", "闽", "榕",
                "鼓浪屿", "海峡", "海丝", "嘉庚", "翔安", "集美", "安溪", "长乐", "马尾", "晋江", "石狮", "台商", "两岸",
                "东南", "金砖", "丝路", "滨海新城", "数字中国"]
# Words that would turn a body line into a heading, an annex or the end of the plan body.
UNSAFE = re.compile(r"[〔〕【】\[\]［］：:；;]|专栏|第[一二三四五六七八九十\d]+[章节部]|印发|抄送|附件|预览|链接|"
                    r"责任|牵头|配合|完成时限|\d+\s*[.．、](?!\d)|^[\d一二三四五六七八九十〇（(①-⑳]|"
                    r"[（(][一二三四五六七八九十\d]+[）)]")
WIDTH = 60  # display columns of a wrapped line in the xiamen layout (30 CJK characters)


def non_task_words() -> list[str]:
    """Titles holding one of these words are background sections without tasks (data/outline.yaml)."""
    from respgraph.graph_build.curated import load_yaml

    return list(load_yaml("outline.yaml")["non_task_sections"])


def sentence_pool() -> list[str]:
    """Sentences of the bundled plans' bodies: annotations removed, unsafe or 福建-specific ones left out."""
    from respgraph.graph_build.curated import bundled_plans

    found: set[str] = set()
    for path in bundled_plans():
        text = "".join(line.strip() for line in path.read_text(encoding="utf-8").split("\n"))
        text = re.sub(r"[〔（(【\[][\u4e00-\u9fff]?\s*(责任单位|牵头单位)[^〕）)】\]]*[〕）)】\]]", "。", text)
        for sentence in text.split("。"):
            sentence = sentence.strip()
            if not 15 <= len(sentence) <= 90 or UNSAFE.search(sentence):
                continue
            if any(word in sentence for word in FUJIAN_WORDS) or not balanced(sentence):
                continue
            found.add(sentence)
    return sorted(found)


def balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char in "（(“"
        depth -= char in "）)”"
        if depth < 0:
            return False
    return depth == 0


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass
class TaskSpec:
    """One task as generated: what the parser must find."""

    title: str
    sentences: list[str]
    units: list[str] = field(default_factory=list)  # as printed, in order
    tiers: list[list[str]] = field(default_factory=list)
    label: str = "责任单位"  # or "split": 牵头单位…；配合单位…；完成时限…
    deadline: str = ""
    sub_items: list["TaskSpec"] = field(default_factory=list)


@dataclass
class Region:
    name: str  # 赣州市 / 浙江省
    short: str  # 赣州 / 浙江
    province: bool

    @property
    def prefix(self) -> str:
        return "省" if self.province else "市"


class PlanWriter:
    """Draws one plan's content from a seeded random generator and renders it in a layout."""

    def __init__(self, rng: random.Random, region: Region, style: str, pool: list[str], excluded: list[str]):
        self.rng, self.region, self.style, self.pool, self.excluded = rng, region, style, pool, excluded

    # -- content ------------------------------------------------------------------------
    def vary(self, sentence: str) -> str:
        rng = self.rng
        for word, other in SYNONYMS:
            if word in sentence and rng.random() < 0.3:
                sentence = sentence.replace(word, other, 1)
        sentence = re.sub(r"(\d+)(?=\s*(?:个|万|家|户|项|条|座|台|套|所|%))",
                          lambda m: str(max(1, int(int(m.group(1)) * rng.uniform(0.6, 1.6)))), sentence)
        return sentence.replace("全省", "全市") if not self.region.province else sentence.replace("全市", "全省")

    def sentences(self, low: int, high: int) -> list[str]:
        return [self.vary(self.rng.choice(self.pool)) for _ in range(self.rng.randint(low, high))]

    def title(self) -> str:
        while True:
            title = (self.rng.choice(TITLE_LEADS) + self.rng.choice(TITLE_VERBS) + self.rng.choice(TITLE_OBJECTS)
                     + self.rng.choice(TITLE_TAILS))
            if not any(word in title for word in self.excluded):
                return title

    def unit_pool(self) -> tuple[list[str], list[str], list[str]]:
        """Departments (short names without the prefix), other units, and collectives of this region."""
        short = self.region.short
        if self.region.province:
            departments, party, others, collectives = PROVINCE_UNITS, PROVINCE_PARTY_UNITS, PROVINCE_OTHERS, PROVINCE_COLLECTIVES
        else:
            departments, party, others, collectives = CITY_UNITS, CITY_PARTY_UNITS, CITY_OTHERS, CITY_COLLECTIVES
        return list(departments), list(party) + [o.format(c=short) for o in others], list(collectives)

    def annotation_units(self, shared_prefix: bool) -> tuple[list[list[str]], int]:
        """Tiers of printed unit names and how many units they name.

        The first tier holds departments (the lead first); with ``shared_prefix`` the 市 of
        the departments after the first is left out, the way 泉州 writes its annotations.
        """
        rng = self.rng
        departments, others, collectives = self.departments, self.others, self.collectives
        prefix = self.region.prefix
        first = rng.sample(departments, rng.randint(1, 4))
        tiers = [[prefix + first[0]] + [(d if shared_prefix else prefix + d) for d in first[1:]]]
        if rng.random() < 0.6:
            tiers.append(rng.sample(others, rng.randint(1, 2)))
        if rng.random() < 0.7:
            tiers.append(rng.sample(collectives, 1) + (rng.sample(others[-4:], 1) if rng.random() < 0.3 else []))
        # Each printed name is one unit; the lists above never repeat a name inside a tier.
        seen: set[str] = set()
        clean = []
        for tier in tiers:
            kept = [u for u in tier if u not in seen]
            seen.update(kept)
            if kept:
                clean.append(kept)
        return clean, sum(len(t) for t in clean)

    def task(self, annotated: bool = True, sub_item: bool = False) -> TaskSpec:
        title = self.rng.choice(SUB_ITEM_NAMES) if sub_item else self.title()
        spec = TaskSpec(title=title, sentences=self.sentences(2, 5) if sub_item else self.sentences(3, 5))
        if annotated:
            spec.tiers, _ = self.annotation_units(shared_prefix=self.style == "quanzhou" and self.rng.random() < 0.7)
            spec.units = [u for tier in spec.tiers for u in tier]
            if self.rng.random() < 0.1:
                spec.label = "split"
                spec.deadline = f"{self.rng.randint(2023, 2026)}年底"
        return spec

    def draw(self) -> None:
        rng = self.rng
        self.departments, self.others, self.collectives = self.unit_pool()
        self.year = rng.randint(2021, 2024)
        self.topic = rng.choice(TOPICS)
        self.kind = rng.choice(PLAN_KINDS)
        self.title_text = f"{self.region.name}{self.topic}{self.kind}"
        self.period = f"{self.year}—{self.year + 2}" if self.kind.startswith("三年") else ""
        budget = rng.randint(18, 48)  # tasks of this plan: 33 on average
        guarantee_count = rng.randint(2, 5)
        chapters: list[tuple[str, list[tuple[str, list[TaskSpec]]]]] = []
        remaining = budget - guarantee_count
        chapter_count = 1 if rng.random() < 0.6 else rng.randint(2, 3)
        for c in range(chapter_count):
            chapter_budget = remaining if c == chapter_count - 1 else max(3, remaining // (chapter_count - c))
            remaining -= chapter_budget
            sections: list[tuple[str, list[TaskSpec]]] = []
            section_count = max(1, min(chapter_budget // 3, rng.randint(2, 5)))
            left = chapter_budget
            for s in range(section_count):
                size = left if s == section_count - 1 else max(1, left // (section_count - s))
                left -= size
                items: list[TaskSpec] = []
                while size > 0:
                    if size >= 2 and rng.random() < 0.08:
                        count = min(size, rng.randint(2, 4))
                        group = TaskSpec(title=self.title(), sentences=[])
                        group.sub_items = [self.task(sub_item=True) for _ in range(count)]
                        items.append(group)
                        size -= count
                    else:
                        items.append(self.task(annotated=rng.random() > 0.03))
                        size -= 1
                sections.append((rng.choice(SECTION_TITLES), items))
            chapters.append((rng.choice(CHAPTER_TITLES) if c == 0 else rng.choice(CHAPTER_TITLES[2:]), sections))
        self.chapters = chapters
        self.guarantees = [self.task(annotated=rng.random() < 0.7) for _ in range(guarantee_count)]
        for spec, title in zip(self.guarantees, rng.sample(GUARANTEE_TITLES, guarantee_count)):
            spec.title = title
        self.targets = [(f"{name}({unit})", round(rng.uniform(1, 100), 1)) for name, unit in rng.sample([
            ("每万人拥有5G基站数", "个"), ("5G用户普及率", "%"), ("千兆宽带接入用户占比", "%"),
            ("移动网络IPv6流量占比", "%"), ("物联网终端用户数", "万户"), ("在用标准机架数", "万个"),
            ("算力规模", "EFLOPS"), ("工业互联网标识注册量", "亿个"), ("数字经济核心产业增加值占比", "%")], 5)]

    def expected(self) -> tuple[int, int]:
        """Tasks and responsible-unit mentions the parser must find."""
        specs = [s for _, sections in self.chapters for _, items in sections for s in items]
        tasks = [sub for s in specs for sub in (s.sub_items or [s])] + self.guarantees
        return len(tasks), sum(len(t.units) for t in tasks)

    # -- rendering ----------------------------------------------------------------------
    def annotation(self, spec: TaskSpec) -> str:
        rng = self.rng
        if spec.label == "split":
            lead, rest = spec.tiers[0][:1], [u for tier in spec.tiers for u in tier][1:]
            body = f"牵头单位：{lead[0]}" + (f"；配合单位：{'、'.join(rest)}" if rest else "") + f"；完成时限：{spec.deadline}"
        else:
            body = "责任单位：" + "，".join("、".join(tier) for tier in spec.tiers)
        if self.style == "xiamen" or (self.style == "quanzhou" and rng.random() < 0.25):
            return f"（{body}）"
        return f"〔{body}〕"

    def body(self, spec: TaskSpec) -> str:
        return "。".join(spec.sentences) + "。" + (self.annotation(spec) if spec.units else "")

    def numbered(self, number: int, spec: TaskSpec) -> list[str]:
        """Paragraphs of one numbered item (a heading line is its own paragraph where bare)."""
        style = self.style
        if spec.sub_items:
            heading = f"#### {number}. {spec.title}" if style == "fuzhou" else f"{number}.{spec.title}"
            return [heading] + [f"{sub.title}。{self.body(sub)}" for sub in spec.sub_items]
        if style == "quanzhou":
            return [f"{number}.{spec.title}。{self.body(spec)}"]
        heading = f"#### {number}. {spec.title}" if style == "fuzhou" else f"{number}.{spec.title}"
        text = self.body(spec)
        if style != "fuzhou":
            return [heading, text]
        parts = [text]
        if spec.units and self.rng.random() < 0.2:
            # 福州 task 2: the annotation stands as a paragraph of its own.
            cut = text.rindex("〔")
            parts = [text[:cut], text[cut:]]
        if len(spec.sentences) > 3 and self.rng.random() < 0.3:
            # A task body of two paragraphs, split after a sentence.
            cut = parts[0].index("。", len(parts[0]) // 3) + 1
            parts[:1] = [parts[0][:cut], parts[0][cut:]]
        return [heading] + [p for p in parts if p]

    def paragraphs(self) -> list[str]:
        """The plan's paragraphs (headings included) from its title to the end of its body."""
        rng, region, style = self.rng, self.region, self.style
        md = (lambda level, text: "#" * level + " " + text) if style == "fuzhou" else (lambda level, text: text)
        title = self.title_text + (f" ({self.period}年)" if style == "fuzhou" and self.period else
                                   (f"（{self.period}年）" if self.period else ""))
        out = [md(1, title) if style == "fuzhou" else title]
        if style == "xiamen" and self.period:
            out[-1:] = [self.title_text, f"（{self.period}年）"]
        out.append(f"为贯彻落实国家和省关于{self.topic}的决策部署，" + "，".join(
            self.vary(s) for s in rng.sample(self.pool, 2)) + f"，结合{region.short}实际，制定本{self.kind[-4:]}。")
        out.append(md(2, "一、总体要求"))
        out.append(md(3, "（一）指导思想"))
        out.append("。".join(self.sentences(3, 5)) + "。")
        out.append(md(3, "（二）发展目标"))
        end = self.year + 2
        out.append(f"到{end}年，" + "，".join(f"{name.split('(')[0]}达到{value}" for name, value in self.targets)
                   + "。" + "。".join(self.sentences(1, 2)) + "。")
        if style == "fuzhou":
            out.append("重点指标分年度工作目标表")
            out.append("\t".join(["序号", "重点指标", f"{self.year - 1}年底情况", f"{self.year}年目标值",
                                  f"{self.year + 1}年目标值", f"{end}年目标值"]))
            for index, (name, value) in enumerate(self.targets, start=1):
                steps = [round(value * f, 1) for f in (0.6, 0.75, 0.9, 1.0)]
                out.append("\t".join([str(index), name, *map(str, steps)]))
        chapter_numbers = "二三四五六七八九"
        number = 1
        for c, (chapter, sections) in enumerate(self.chapters):
            out.append(md(2, f"{chapter_numbers[c]}、{chapter}"))
            for s, (section, items) in enumerate(sections):
                out.append(md(3, f"（{'一二三四五六七八九十'[s]}）{section}"))
                for spec in items:
                    out.extend(self.numbered(number, spec))
                    number += 1
        out.append(md(2, f"{chapter_numbers[len(self.chapters)]}、保障措施"))
        for g, spec in enumerate(self.guarantees):
            heading = f"（{'一二三四五六七八九十'[g]}）{spec.title}"
            if style == "quanzhou":
                out.append(f"{heading}。{self.body(spec)}")
            else:
                out.extend([md(3, heading), self.body(spec)])
        return out

    def notice(self) -> list[str]:
        """The 通知 that wraps the plan: header, 文号, addressees, issuer and date."""
        rng, region = self.rng, self.region
        office = f"{region.name}人民政府办公{'厅' if region.province or rng.random() < 0.5 else '室'}"
        number = f"{region.short[0]}政办〔{self.year}〕{rng.randint(1, 150)}号"
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        full_title = self.title_text + (f"（{self.period}年）" if self.period else "")
        lines = [f"{office}文件", number, f"{office}关于印发{full_title}的通知",
                 ("各设区市人民政府，省人民政府各部门、各直属机构：" if region.province else
                  f"各县（市、区）人民政府，{region.short}高新区管委会，市直各委、办、局（公司）："),
                 f"《{full_title}》已经{region.prefix}政府同意，现印发给你们，请认真组织实施。", office]
        if self.style == "xiamen":
            lines.append(f"{self.year} 年 {month}月 {day} 日")
        else:
            lines.append(f"{self.year}年{month}月{day}日")
        lines.append("（此件主动公开）")
        if self.style == "fuzhou":
            lines[0] = "# " + lines[0]
            lines[2] = "## " + lines[2]
        return lines

    def annex(self) -> list[str]:
        """What follows the body in the xiamen layout: the target table and the print line."""
        lines = ["附件：重点指标分年度工作目标", "附件", "重点指标分年度工作目标", "序号 重点指标"]
        for index, (name, value) in enumerate(self.targets, start=1):
            lines += [str(index), f"{name} {round(value * 0.6, 1)} {round(value * 0.8, 1)} {value}"]
        lines.append(f"{self.region.name}人民政府办公厅 {self.year} 年 12月 1 日印发")
        return lines

    def render(self) -> str:
        style = self.style
        paragraphs = self.paragraphs()
        if style == "xiamen":
            lines = self.notice() + [line for p in paragraphs for line in self.wrap(p)] + self.annex()
            return "\n\n".join(lines) + "\n"
        if style == "fuzhou":
            paragraphs = [part for p in paragraphs for part in self.page_break(p)]
        return "\n\n".join(self.notice() + paragraphs) + "\n"

    def page_break(self, paragraph: str) -> list[str]:
        """Now and then a paragraph broken mid-sentence by a page end (福州 line 58-60 "规模覆\\n\\n盖。")."""
        if paragraph.startswith("#") or "\t" in paragraph or len(paragraph) < 80 or self.rng.random() > 0.05:
            return [paragraph]
        for cut in range(len(paragraph) // 2, len(paragraph) - 20):
            left, right = paragraph[:cut], paragraph[cut:]
            if ("\u4e00" <= left[-1] <= "\u9fff" and "\u4e00" <= right[0] <= "\u9fff"
                    and right[0] not in "一二三四五六七八九十第专"):
                return [left, right]
        return [paragraph]

    def wrap(self, paragraph: str) -> list[str]:
        """A paragraph as the PDF set it: lines of WIDTH display columns, ASCII words kept whole."""
        tokens = re.findall(r"[A-Za-z0-9.%/+\-]+|.", paragraph)
        lines, current, used = [], [], 0
        for token in tokens:
            width = display_width(token)
            if used + width > WIDTH and current:
                lines.append("".join(current))
                current, used = [], 0
            current.append(token)
            used += width
        if current:
            lines.append("".join(current))
        # A line that begins a page carries a leading space in the extraction (厦门 line 29).
        return [(" " + line if index and self.rng.random() < 0.05 else line) for index, line in enumerate(lines)]


def regions(seed: int) -> list[Region]:
    """Every region a plan can come from, in a seeded order."""
    found = [Region(f"{c}市", c, False) for c in CITIES] + [Region(f"{p}省", p, True) for p in PROVINCES]
    random.Random(f"regions:{seed}").shuffle(found)
    return found


def plan(seed: int, index: int, pool: list[str], excluded: list[str]) -> tuple[str, dict]:
    """Text and manifest entry of plan ``index`` (depends on nothing but the seed and the index)."""
    rng = random.Random(f"plan:{seed}:{index}")
    all_regions = regions(seed)
    cities = [r for r in all_regions if not r.province]
    provinces = [r for r in all_regions if r.province]
    region = rng.choice(provinces) if rng.random() < PROVINCE_SHARE else cities[index % len(cities)]
    style = STYLES[rng.randrange(len(STYLES))]
    writer = PlanWriter(rng, region, style, pool, excluded)
    writer.draw()
    text = writer.render()
    tasks, units = writer.expected()
    entry = {"file": f"plans/plan{index:05d}_{style}.txt", "region": region.name, "style": style,
             "title": writer.title_text + (f"（{writer.period}年）" if writer.period else ""),
             "tasks": tasks, "units": units, "bytes": len(text.encode("utf-8"))}
    return text, entry


def generate(plans: int, seed: int, out: Path) -> dict:
    """Write ``plans`` plans and manifest.json under ``out``; return the manifest."""
    pool, excluded = sentence_pool(), non_task_words()
    (out / "plans").mkdir(parents=True, exist_ok=True)
    entries = []
    for index in range(plans):
        text, entry = plan(seed, index, pool, excluded)
        target = out / entry["file"]
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        entries.append(entry)
    keep = {out / e["file"] for e in entries}
    for stale in (out / "plans").glob("*.txt"):
        if stale not in keep:
            stale.unlink()
    manifest = {"seed": seed, "plans": plans, "tasks": sum(e["tasks"] for e in entries),
                "units": sum(e["units"] for e in entries), "bytes": sum(e["bytes"] for e in entries),
                "documents": entries}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, required=True, help="how many plans to write")
    parser.add_argument("--seed", type=int, default=1, help="the corpus depends on nothing else")
    parser.add_argument("--out", type=Path, required=True, help="folder for plans/ and manifest.json")
    args = parser.parse_args(argv)
    manifest = generate(args.plans, args.seed, args.out)
    print(f"{manifest['plans']} plans, {manifest['tasks']} tasks, {manifest['units']} unit mentions, "
          f"{manifest['bytes'] / 1e6:.1f} MB → {args.out}")


if __name__ == "__main__":
    main()
