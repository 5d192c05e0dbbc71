"""A labelled budget-matching set: a county's master directory and finance's request lines.

`county(seed)` draws a directory of a few hundred systems across ~60 county units (departments,
towns and streets) from per-unit pools of real-looking system names, with phases held as
different systems (一期/二期, （2.0）), look-alikes of other subjects (水环境/声环境/大气环境,
every town's 网格化 platform) and systems of one unit that another unit also runs.
`lines(directory, seed, n)` writes n budget lines the way finance writes them: unit prefixes
(full, short, none), the county, years, service words (运维费, 维保, 等保测评, 内容保障服务,
报警终端维护 …), abbreviations (GIS, LIS, 智慧食安, 社保, 公卫), homophone typos (燃汽), 系统/平台
swaps, dropped generic words, version suffixes, and lines for systems the directory does not
hold: a phase it lacks, a look-alike subject, another town's platform, or a system nobody
registered. Each line carries its truth: the (unit, system name) it means, or None.

The dev set (seed 1) is for tuning; the held-out set (seed 2: another draw of the directory and
of the lines, with its own unit subset) is run blind first.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

COUNTY = "云阳县"

# unit name → (short names finance writes, pool of system names)
DEPARTMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "云阳县公安局": (("公安局", "县公安局"), (
        "户政管理信息系统", "智慧公安综合管理平台", "公安交通管理综合应用平台", "治安视频监控联网平台",
        "警务地理信息系统", "出租屋流动人口管理系统", "校园一键报警系统", "公安执法办案管理系统")),
    "云阳县民政局": (("民政局",), (
        "低保救助管理信息系统", "婚姻登记管理信息系统", "殡葬管理服务系统", "养老服务综合管理平台",
        "社会组织管理系统", "地名信息管理系统", "残疾人两项补贴发放系统")),
    "云阳县人力资源和社会保障局": (("人社局", "县人社局"), (
        "社会保险经办系统", "就业创业服务管理系统", "劳动保障监察管理系统", "人事考试管理系统",
        "社会保障卡服务系统")),
    "云阳县医疗保障局": (("医保局",), ("医疗保障信息平台", "医保基金智能监控系统", "医保异地就医结算系统")),
    "云阳县市场监督管理局": (("市场监管局", "县市场监管局"), (
        "食品安全监管平台", "市场主体登记注册系统", "特种设备安全监管系统", "智慧食品安全监管平台",
        "药品不良反应监测系统", "12315投诉举报处置系统")),
    "云阳县卫生健康委员会": (("卫健委", "县卫健委"), (
        "全民健康信息平台", "基本公共卫生服务管理系统", "家庭医生签约服务系统", "120急救指挥调度系统",
        "妇幼保健信息管理系统", "计划生育服务管理系统")),
    "云阳县人民医院": (("县人民医院", "人民医院"), (
        "医院信息系统", "实验室信息管理系统", "医学影像归档和通信系统", "电子病历系统", "手术麻醉管理系统")),
    "云阳县中医院": (("县中医院", "中医院"), ("医院信息系统", "实验室信息管理系统", "中医馆健康信息平台")),
    "云阳县财政局": (("财政局",), (
        "政府采购管理交易系统", "预算管理一体化系统", "非税收入征收管理系统", "国有资产管理信息系统",
        "惠民惠农财政补贴资金一卡通系统")),
    "云阳县生态环境局": (("生态环境局", "环境局"), (
        "水环境质量自动监测系统", "大气环境质量监测系统", "污染源在线监控系统", "环境执法移动监管系统",
        "土壤环境信息管理系统")),
    "云阳县规划和自然资源局": (("规划自然资源局", "规资局"), (
        "不动产统一登记平台", "国土空间基础信息平台", "地质灾害监测预警系统", "自然资源地理信息系统",
        "耕地保护动态监管系统")),
    "云阳县住房和城乡建设委员会": (("住建委", "县住建委"), (
        "建筑市场监管与诚信信息平台", "房屋交易网签备案系统", "燃气安全监管平台", "智慧工地监管平台",
        "城镇老旧小区改造项目管理系统")),
    "云阳县城市管理局": (("城管局", "城市管理局"), (
        "数字城管综合管理平台", "智慧停车管理平台", "城市照明监控系统", "渣土车辆监管系统")),
    "云阳县交通运输委员会": (("交通委", "县交通委"), (
        "道路运输管理信息系统", "公路养护管理系统", "水上交通安全监管系统", "农村公路建设管理系统")),
    "云阳县水利局": (("水利局",), (
        "山洪灾害监测预警系统", "水资源管理信息系统", "农村供水工程管理系统", "河长制信息管理平台")),
    "云阳县农业农村委员会": (("农业农村委", "农委"), (
        "农村土地承包经营权信息系统", "农产品质量安全追溯平台", "防返贫动态监测系统", "动物防疫管理系统",
        "高标准农田建设管理系统")),
    "云阳县林业局": (("林业局",), ("森林防火视频监控系统", "林长制信息管理平台", "林木采伐管理系统")),
    "云阳县教育委员会": (("教委", "县教委"), (
        "学生学籍管理系统", "教育城域网管理平台", "校外培训机构监管平台", "学生资助管理系统",
        "智慧校园安全管理平台", "教育资源公共服务平台")),
    "云阳县应急管理局": (("应急局", "应急管理局"), (
        "应急指挥综合管理平台", "安全生产风险监测预警系统", "危险化学品安全监管系统", "自然灾害综合风险普查系统")),
    "云阳县文化和旅游发展委员会": (("文旅委",), (
        "智慧旅游服务平台", "文物安全监管系统", "公共文化服务云平台", "广播电视户户通管理系统")),
    "云阳县发展和改革委员会": (("发改委", "县发改委"), (
        "投资项目在线审批监管平台", "社会信用信息共享平台", "价格监测信息系统", "粮食储备管理系统")),
    "云阳县经济和信息化委员会": (("经信委",), ("工业经济运行监测系统", "中小企业公共服务平台")),
    "云阳县商务委员会": (("商务委",), ("商务运行监测系统", "电子商务公共服务平台")),
    "云阳县统计局": (("统计局",), ("统计联网直报平台", "统计数据管理系统")),
    "云阳县审计局": (("审计局",), ("审计管理系统", "大数据审计分析平台")),
    "云阳县司法局": (("司法局",), ("社区矫正管理系统", "人民调解信息管理系统", "公共法律服务平台")),
    "云阳县退役军人事务局": (("退役军人局",), ("退役军人信息管理系统", "优抚对象管理系统")),
    "云阳县档案馆": (("档案馆",), ("数字档案馆系统", "电子文件归档管理系统")),
    "云阳县信访办公室": (("信访办",), ("网上信访信息系统",)),
    "云阳县大数据应用发展管理中心": (("大数据中心", "县大数据中心"), (
        "政务数据共享交换平台", "政务云管理平台", "一网通办政务服务平台", "12345政务服务便民热线系统",
        "电子政务外网运维管理系统", "政府门户网站", "政务服务好差评系统")),
    "云阳县人民政府办公室": (("县政府办", "政府办"), ("协同办公系统", "政府门户网站", "督查督办管理系统")),
    "云阳县融媒体中心": (("融媒体中心",), ("融媒体指挥调度平台", "云阳手机台客户端", "云阳网站")),
    "云阳县税务局": (("国家税务总局云阳县税务局", "税务局"), ("电子税务局", "社保费征收管理系统")),
    "云阳县气象局": (("气象局",), ("气象灾害预警信息发布系统", "自动气象站监测系统")),
    "云阳县住房公积金管理中心": (("公积金中心",), ("住房公积金综合管理系统",)),
    "云阳县残疾人联合会": (("残联",), ("残疾人服务管理系统",)),
    "云阳县妇女联合会": (("妇联",), ("妇女儿童维权服务系统",)),
    "云阳县总工会": (("总工会",), ("工会会员实名制管理系统",)),
    "云阳县消防救援大队": (("消防大队",), ("消防物联网远程监控系统", "消防监督管理系统")),
    "云阳县市场监督管理局食品检验所": (("食品检验所",), ("实验室信息管理系统",)),
    "云阳县疾病预防控制中心": (("疾控中心", "县疾控中心"), (
        "免疫规划信息管理系统", "传染病网络直报系统", "实验室信息管理系统")),
}

TOWNS = ("双江街道", "青龙街道", "人和街道", "盘龙街道", "龙角镇", "故陵镇", "红狮镇", "路阳镇", "农坝镇",
         "渠马镇", "黄石镇", "巴阳镇", "沙市镇", "鱼泉镇", "凤鸣镇", "宝坪镇", "南溪镇", "平安镇", "江口镇",
         "高阳镇", "云安镇")
TOWN_POOL = ("网格化社会治理平台", "便民服务中心综合管理系统", "智慧党建平台", "视频监控联网系统",
             "地质灾害群测群防系统", "数字乡村平台", "应急广播系统")

# systems nobody registered (lines for them must be flagged not in the directory)
ABSENT = ("智慧水务管理平台", "全域旅游大数据平台", "城市运行管理服务平台", "电动自行车智能监管系统",
          "智慧社区服务平台", "农村集体资产管理平台", "公共资源交易平台", "城市噪声监测系统",
          "智慧养老服务平台", "工程建设项目审批管理系统", "智慧环卫管理系统", "河道采砂监管系统",
          "建筑垃圾管理平台", "校车安全监管平台", "危房改造管理系统", "人口健康档案查询系统",
          "智慧菜市场管理平台", "乡村振兴项目库管理系统", "森林资源一张图系统", "电梯安全应急处置平台")

# the same subject with another qualifier: a line for the absent one must not match the present one
LOOKALIKE = {"水环境质量自动监测系统": ("声环境质量自动监测系统", "地下水环境质量自动监测系统"),
             "大气环境质量监测系统": ("声环境质量监测系统",),
             "食品安全监管平台": ("药品安全监管平台",),
             "特种设备安全监管系统": ("特种作业人员安全监管系统",),
             "学生学籍管理系统": ("教师资格管理系统",),
             "山洪灾害监测预警系统": ("森林火灾监测预警系统",),
             "婚姻登记管理信息系统": ("收养登记管理信息系统",),
             "社会组织管理系统": ("社会救助管理系统",),
             "森林防火视频监控系统": ("河道视频监控系统",),
             "道路运输管理信息系统": ("水路运输管理信息系统",),
             "城市照明监控系统": ("城市排水监控系统",),
             "医保基金智能监控系统": ("医疗机构智能监控系统",)}

ABBREVIATIONS = (("地理信息系统", "GIS"), ("实验室信息管理系统", "LIS"), ("医院信息系统", "HIS"),
                 ("医学影像归档和通信系统", "PACS"), ("食品安全", "食安"), ("社会保险", "社保"),
                 ("公共卫生", "公卫"), ("医疗保障", "医保"), ("协同办公系统", "OA系统"), ("电子病历系统", "EMR"),
                 ("政府门户网站", "门户网站"), ("一网通办政务服务平台", "一网通办平台"))
SERVICE = ("运维费", "运维", "运行维护费", "运行维护经费", "维保", "维保服务", "等保测评", "等级保护测评费",
           "系统维护", "技术服务费", "软件升级", "内容保障服务", "终端维护", "密码测评", "租赁费")
HOMOPHONES = {"气": "汽", "管": "官", "务": "物", "监": "坚", "统": "通", "综": "宗", "息": "席", "理": "里",
              "登": "灯", "记": "纪", "预": "予", "警": "井", "网": "往", "控": "空", "测": "侧", "护": "户",
              "保": "宝", "险": "显", "办": "半", "审": "申", "批": "披", "资": "咨", "源": "元", "政": "正"}


@dataclass(frozen=True)
class System:
    unit: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    unit: str
    system: str
    truth: tuple[str, str] | None  # (unit, system name) or None: not in the directory
    kind: str                      # how the line was written (for error classes)


def county(seed: int) -> list[System]:
    rnd = random.Random(seed)
    systems: list[System] = []
    units = list(DEPARTMENTS)
    rnd.shuffle(units)
    for unit in sorted(units[: len(units) - 3]):          # each draw leaves out a few departments
        _, pool = DEPARTMENTS[unit]
        k = max(1, round(len(pool) * rnd.uniform(0.8, 1.0)))
        for name in rnd.sample(pool, k):
            systems.append(System(unit, name))
            if rnd.random() < 0.15:                          # phases held as different systems
                phased = name + "（二期）" if rnd.random() < 0.7 else name + "（2.0）"
                systems.append(System(unit, phased))
    towns = list(TOWNS)
    rnd.shuffle(towns)
    for town in sorted(towns[:19]):
        for name in rnd.sample(TOWN_POOL, rnd.randint(3, 6)):
            systems.append(System(f"{COUNTY}{town}人民政府" if town.endswith("镇") else f"{COUNTY}{town}办事处", name))
    return systems


def _short_unit(unit: str) -> tuple[str, ...]:
    if unit in DEPARTMENTS:
        return DEPARTMENTS[unit][0]
    town = unit.removeprefix(COUNTY).removesuffix("人民政府").removesuffix("办事处")
    return (town, town + "人民政府" if town.endswith("镇") else town + "办事处")


def write(name: str, unit: str, rnd: random.Random) -> tuple[str, str]:
    """(unit column, system column) as finance writes them, and the kind of variation."""
    kinds = []
    unit_col = rnd.choice((unit, unit, *_short_unit(unit)))
    text = name
    for long, short in ABBREVIATIONS:
        if long in text and rnd.random() < 0.6:
            text = text.replace(long, short)
            kinds.append("abbreviation")
            break
    r = rnd.random()
    if r < 0.15:
        text = text.replace("管理信息系统", "系统").replace("信息平台", "平台").replace("管理系统", "系统")
        kinds.append("shortened")
    elif r < 0.3:
        text = text.replace("系统", "平台") if text.endswith("系统") else text.replace("平台", "系统")
        kinds.append("tail")
    if rnd.random() < 0.25:
        text = rnd.choice((unit_col, COUNTY + rnd.choice(_short_unit(unit)))) + text
        kinds.append("unit-prefix")
    if rnd.random() < 0.15:
        text = rnd.choice(("2027年", "2027年度")) + text
        kinds.append("year")
    if rnd.random() < 0.55:
        service = rnd.choice(SERVICE)
        text = text + (service if rnd.random() < 0.8 else f"（{service}）")
        kinds.append("service")
    if rnd.random() < 0.06 and "期" not in text:
        text = text + rnd.choice(("V2.0", "v3.1"))
        kinds.append("version")
    if rnd.random() < 0.08:
        spots = [i for i, c in enumerate(text) if c in HOMOPHONES]
        if spots:
            i = rnd.choice(spots)
            text = text[:i] + HOMOPHONES[text[i]] + text[i + 1:]
            kinds.append("typo")
    return unit_col, text, "+".join(kinds) or "exact"


def lines(systems: list[System], seed: int, n: int = 400) -> list[Line]:
    rnd = random.Random(seed * 7919)
    present = {(s.unit, s.name) for s in systems}
    names = {s.name for s in systems}
    units = sorted({s.unit for s in systems})
    out: list[Line] = []
    while len(out) < n:
        r = rnd.random()
        if r < 0.8:
            s = rnd.choice(systems)
            unit_col, text, kind = write(s.name, s.unit, rnd)
            out.append(Line(unit_col, text, (s.unit, s.name), kind))
            continue
        # a line for a system the directory does not hold
        choice = rnd.random()
        if choice < 0.3:   # a phase the directory lacks
            s = rnd.choice([s for s in systems if "二期" not in s.name and "2.0" not in s.name])
            phased = [(s.unit, n2) for n2 in (s.name.replace("系统", "系统三期").replace("平台", "平台三期"),
                                               s.name + "（二期）", s.name + "二期")]
            unit, name = rnd.choice(phased)
            if (unit, name.replace("（", "").replace("）", "")) in {(u, n2.replace("（", "").replace("）", ""))
                                                                   for u, n2 in present}:
                continue
            kind = "absent-phase"
        elif choice < 0.55:  # a look-alike of another subject
            base = [s for s in systems if s.name in LOOKALIKE]
            if not base:
                continue
            s = rnd.choice(base)
            unit, name = s.unit, rnd.choice(LOOKALIKE[s.name])
            if name in names:
                continue
            kind = "absent-lookalike"
        elif choice < 0.75:  # another town's platform
            town_units = [u for u in units if u.endswith(("人民政府", "办事处"))]
            unit = rnd.choice(town_units)
            held = {s.name for s in systems if s.unit == unit}
            missing = [t for t in TOWN_POOL if t not in held]
            if not missing:
                continue
            name = rnd.choice(missing)
            kind = "absent-other-unit"
        else:
            unit, name = rnd.choice(units), rnd.choice(ABSENT)
            kind = "absent"
        unit_col, text, how = write(name, unit, rnd)
        out.append(Line(unit_col, text, None, f"{kind}+{how}"))
    return out
