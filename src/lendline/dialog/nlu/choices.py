"""Closed choices: the call's language, what the loan is for, how the caller earns.

Purpose decides whether the law allows the loan at all (DOMAIN-NOTES R2), so a banned
purpose named anywhere in the answer wins over benign ones ("装修完再炒股" is securities),
while a banned purpose the caller explicitly rules out ("不是用来炒股的，是装修") does not
count. An answer that names nothing known gives None and the script asks again; nothing
is guessed.
"""

from __future__ import annotations

import re
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import normalize, strip_punct
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory

# ----------------------------------------------------------------------------------------
# Language
# ----------------------------------------------------------------------------------------

_LANGUAGE_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "zh": ("中文", "普通话", "汉语", "国语", "华语", "中国话", "chinese", "mandarin", "putonghua"),
    # "英俊": how Whisper base, listening for Mandarin, writes "English (please)" said over
    # a phone line (measured on the SIP line tests, clean and lossy); nobody choosing a
    # language says "handsome".
    "en": ("英文", "英语", "english", "英俊"),
}
_LANGUAGE_NUMBERS: Final[dict[str, frozenset[str]]] = {
    "zh": frozenset({"1", "一", "幺", "one", "第一", "第一个"}),
    "en": frozenset({"2", "二", "两", "two", "第二", "第二个"}),
}
_CHOICE_FILLER: Final = (
    "我选",
    "选",
    "按",
    "请",
    "吧",
    "号",
    "please",
    "press",
    "option",
    "number",
    "i choose",
    "i'll take",
    "choose",
)


def parse_language_choice(text: str) -> str | None:
    """Read the caller's choice of language.

    Args:
        text: Recogniser output or typed text: a language name (中文, 普通话, 汉语, 国语,
            Chinese, Mandarin / English, 英文, 英语) or the menu number (1/一/one for
            Mandarin, 2/二/two for English, said on its own).

    Returns:
        "zh", "en", or None if no single language was chosen.
    """
    said = strip_punct(normalize(text))
    named = {lang for lang, names in _LANGUAGE_NAMES.items() if _match.contains_any(said, names)}
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    core = _match.remove(said, _CHOICE_FILLER).replace(" ", "")
    for lang, numbers in _LANGUAGE_NUMBERS.items():
        if core in numbers:
            return lang
    return None


# ----------------------------------------------------------------------------------------
# Purpose
# ----------------------------------------------------------------------------------------

_P = PurposeCategory
#: Keywords per purpose. Longer, more specific keywords win among benign purposes;
#: a lone "车" or "phone" is weak evidence next to "旅游" or "tuition".
_PURPOSE_KEYWORDS: Final[dict[PurposeCategory, tuple[str, ...]]] = {
    _P.HOME_RENOVATION: (
        "装修",
        "装潢",
        "翻新",
        "家装",
        "修房子",
        "装房子",
        "renovation",
        "renovate",
        "renovating",
        "remodel",
        "房顶",
        "屋顶",
        "漏水",
        "漏雨",
        "换瓦",
        "修房",
        "盖房",
        "厨房",
        "卫生间",
        "翻修",
        "roof",
        "leaking",
        "leaks",
        "decoration",
        "bare shell",
        "fix my house",
        "repairs",
        "windows and doors",
        "kitchen",
        "bathroom",
        "remodeling",
        "home improvement",
        "redecorate",
    ),
    _P.HOUSING_PURCHASE: (
        "买房",
        "购房",
        "首付",
        "房款",
        "买套房",
        "买个房",
        "买新房",
        "买二手房",
        "购买住房",
        "buy a house",
        "buy a home",
        "buy a flat",
        "buy an apartment",
        "buying a house",
        "buying a home",
        "buying a flat",
        "buying an apartment",
        "house purchase",
        "home purchase",
        "down payment",
        "deposit on a house",
        "deposit on a flat",
    ),
    _P.MORTGAGE_REPAYMENT: (
        "还房贷",
        "房贷",
        "按揭",
        "月供",
        "mortgage",
    ),
    _P.SECURITIES_INVESTMENT: (
        "炒股",
        "股票",
        "买股票",
        "股市",
        "证券",
        "债券",
        "打新",
        "配资",
        "stocks",
        "stock market",
        "shares",
        "securities",
        "bonds",
        "equities",
        "ipo",
    ),
    _P.FUTURES_DERIVATIVES: (
        "期货",
        "外汇",
        "期权",
        "衍生品",
        "炒外汇",
        "futures",
        "forex",
        "foreign exchange",
        "derivatives",
        "options trading",
        "trade options",
    ),
    _P.ASSET_MANAGEMENT: (
        "理财",
        "基金",
        "理财产品",
        "资管",
        "信托",
        "wealth management",
        "asset management",
        "mutual fund",
        "mutual funds",
        "investment fund",
        "investment funds",
        "trust product",
    ),
    _P.EQUITY_OR_FIXED_ASSET_INVESTMENT: (
        "投资房产",
        "房产投资",
        "买设备",
        "入股",
        "股权",
        "买厂房",
        "买商铺",
        "买铺面",
        "买门面",
        "固定资产",
        "投资项目",
        "invest in property",
        "property investment",
        "real estate investment",
        "invest in real estate",
        "buy equipment",
        "equity",
        "buy a stake",
        "invest in a company",
        "invest in a business",
        "fixed assets",
    ),
    _P.GAMBLING: (
        "赌",
        "博彩",
        "彩票",
        "下注",
        "百家乐",
        "麻将",
        "打牌输",
        "输了钱",
        "赌债",
        "mahjong",
        "lost at cards",
        "gambling",
        "gamble",
        "casino",
        "betting",
        "poker",
        "lottery",
    ),
    _P.OTHER_UNLAWFUL: (
        "比特币",
        "虚拟货币",
        "数字货币",
        "炒币",
        "放贷",
        "转贷",
        "借给别人",
        "bitcoin",
        "crypto",
        "cryptocurrency",
        "lend it out",
        "lend it to",
    ),
    _P.EDUCATION: (
        "学费",
        "教育",
        "上学",
        "读书",
        "培训",
        "考研",
        "留学",
        "课程",
        "报班",
        "补习",
        "辅导班",
        "夏令营",
        "驾校",
        "学车",
        "兴趣班",
        "学校",
        "tutoring",
        "summer camp",
        "driving lessons",
        "school fee",
        "classes",
        "tuition",
        "education",
        "school",
        "college",
        "university",
        "courses",
        "a course",
        "training",
        "degree",
        "study",
        "studies",
    ),
    _P.MEDICAL: (
        "看病",
        "医疗",
        "手术",
        "住院",
        "治病",
        "医药费",
        "医院",
        "看牙",
        "种牙",
        "牙齿",
        "根管",
        "牙冠",
        "宠物医院",
        "做手术",
        "vet",
        "operation",
        "implants",
        "root canal",
        "crown",
        "braces",
        "治疗",
        "medical",
        "hospital",
        "surgery",
        "doctor",
        "treatment",
        "medicine",
        "dental",
        "dentist",
    ),
    _P.TRAVEL: (
        "旅游",
        "旅行",
        "度假",
        "出游",
        "蜜月",
        "去玩",
        "honeymoon",
        "holidays",
        "机票",
        "travel",
        "trip",
        "vacation",
        "holiday",
        "tour",
        "flights",
    ),
    _P.WEDDING: (
        "结婚",
        "婚礼",
        "婚庆",
        "彩礼",
        "婚纱",
        "办酒席",
        "wedding",
        "marriage",
        "get married",
        "getting married",
    ),
    _P.VEHICLE: (
        "买车",
        "车",
        "汽车",
        "摩托",
        "电动车",
        "car",
        "vehicle",
        "motorbike",
        "motorcycle",
        "scooter",
        "truck",
    ),
    _P.BUSINESS_WORKING_CAPITAL: (
        "进货",
        "生意",
        "周转",
        "经营",
        "流动资金",
        "开店",
        "店里",
        "货款",
        "供应商",
        "备货",
        "上新",
        "菜钱",
        "材料",
        "suppliers",
        "supply",
        "supplier",
        "materials",
        "stock for",
        "new season stock",
        "business",
        "inventory",
        "working capital",
        "cash flow",
        "restock",
        "my shop",
        "my store",
        "supplies",
    ),
    _P.DEBT_REPAYMENT: (
        "信用卡",
        "还卡",
        "花呗",
        "借呗",
        "白条",
        "网贷",
        "还债",
        "还欠款",
        "还钱给",
        "欠款",
        "credit card",
        "credit cards",
        "card bills",
        "card debt",
        "huabei",
        "jiebei",
        "pay off my debt",
        "pay off debts",
        "pay off some debt",
        "consolidate",
        "debts",
        "other loans",
    ),
    _P.RENT_AND_LIVING: (
        "房租",
        "租房",
        "租个房",
        "押一付三",
        "水电费",
        "电费",
        "生活费",
        "生活开支",
        "日常开销",
        "日常开支",
        "搬家",
        "手头紧",
        "物业费",
        "rent",
        "landlord",
        "renting",
        "utilities",
        "electricity bill",
        "gas and electricity",
        "bills",
        "living expenses",
        "living costs",
        "moving house",
        "groceries",
        "daily expenses",
    ),
    _P.FAMILY_EVENT: (
        "后事",
        "丧事",
        "葬礼",
        "办丧",
        "去世",
        "过世",
        "走了",
        "生孩子",
        "坐月子",
        "满月酒",
        "寿宴",
        "给爸妈",
        "给父母",
        "给老家",
        "寄钱",
        "孝敬",
        "funeral",
        "passed away",
        "send money to my parents",
        "send money home",
        "my parents back home",
        "childbirth",
        "having a baby",
        "the baby",
        "family emergency",
    ),
    _P.CONSUMER_GOODS: (
        "空调",
        "热水器",
        "沙发",
        "床垫",
        "跑步机",
        "钢琴",
        "缝纫机",
        "衣服",
        "air conditioner",
        "water heater",
        "sofa",
        "a bed",
        "mattress",
        "washing machine",
        "treadmill",
        "piano",
        "sewing machine",
        "mac",
        "camera",
        "clothes",
        "买家电",
        "家电",
        "手机",
        "家具",
        "消费",
        "购物",
        "电脑",
        "电视",
        "冰箱",
        "洗衣机",
        "空调",
        "appliances",
        "appliance",
        "furniture",
        "shopping",
        "phone",
        "laptop",
        "computer",
        "tv",
        "television",
        "fridge",
        "electronics",
    ),
}


#: Keywords that say little on their own: any more specific benign keyword beats them.
_WEAK_KEYWORDS: Final = frozenset({"车", "car", "消费", "phone", "tv", "trip", "tour", "study"})
#: Compounds whose banned-looking part is about something benign: a car's down payment or
#: instalment is a vehicle purpose, not housing or a mortgage.
_REWRITES: Final = (
    ("车的首付", "买车"),
    ("车首付", "买车"),
    ("车贷月供", "买车"),
    ("车的月供", "买车"),
    ("车月供", "买车"),
    ("down payment on a car", "car"),
    ("down payment for a car", "car"),
    ("car down payment", "car"),
    ("火车", "旅行"),
)


def _weight(keyword: str) -> int:
    """How specific a keyword is: its characters in Chinese, its words + 1 in English."""
    if keyword in _WEAK_KEYWORDS:
        return 1
    return len(keyword) if _match.is_cjk(keyword) else len(keyword.split()) + 1


def classify_purpose(text: str, lang: str = "zh") -> PurposeCategory | None:
    """Classify what the caller says the loan is for.

    A banned purpose (housing, mortgage, securities, futures, asset management, equity or
    fixed-asset investment, gambling, other unlawful) mentioned anywhere wins over benign
    ones; a banned purpose the caller rules out just before naming it ("不是炒股", "not for
    stocks") is ignored. Among benign purposes the most specific keyword wins, then the
    first said.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The purpose category, or None if no known purpose was named.
    """
    del lang  # both languages are always recognised
    said = normalize(text)
    for compound, meaning in _REWRITES:
        said = said.replace(compound, meaning)
    # (banned?, weight, -position) ranks the candidates; the highest wins.
    best: tuple[bool, int, int] | None = None
    choice: PurposeCategory | None = None
    for category, keywords in _PURPOSE_KEYWORDS.items():
        for keyword in keywords:
            for position in _match.find_all(said, keyword):
                if _match.negated_at(said, position):
                    continue
                rank = (category in BANNED_PURPOSES, _weight(keyword), -position)
                if best is None or rank > best:
                    best, choice = rank, category
    return choice


# ----------------------------------------------------------------------------------------
# Employment
# ----------------------------------------------------------------------------------------

#: Checked in this order: "没工作" must be unemployment before "工作" makes it a job, and
#: "自己开公司" self-employment before "公司" does.
_EMPLOYMENT_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "unemployed",
        (
            "无业",
            "失业",
            "待业",
            "没工作",
            "没有工作",
            "没有固定工作",
            "没上班",
            "没有上班",
            "不上班",
            "在找工作",
            "unemployed",
            "jobless",
            "no job",
            "out of work",
            "between jobs",
            "not working",
            "don't work",
            "do not work",
            "looking for a job",
            "looking for work",
        ),
    ),
    ("retired", ("退休", "retired", "retiree", "pension", "pensioner")),
    (
        "student",
        (
            "学生",
            "在读",
            "在上学",
            "读大学",
            "读研",
            "上大学",
            "大学生",
            "研究生",
            "student",
            "studying",
            "in college",
            "at university",
            "at college",
            "in school",
        ),
    ),
    (
        "self_employed",
        (
            "个体",
            "个体户",
            "自己做生意",
            "做生意",
            "自己开店",
            "开店",
            "开网店",
            "自己开公司",
            "开公司",
            "老板",
            "自由职业",
            "创业",
            "自营",
            "摆摊",
            "self-employed",
            "self employed",
            "own business",
            "own company",
            "own shop",
            "my own",
            "work for myself",
            "freelance",
            "freelancer",
            "business owner",
            "entrepreneur",
            "run a shop",
            "run a business",
            "run a store",
            "自己开",
            "自己带",
            "开服装店",
            "开店的",
            "开了个",
            "开了家",
            "开饭店",
            "开饭馆",
            "开滴滴",
            "跑滴滴",
            "跑外卖",
            "跑单",
            "众包",
            "打鱼",
            "渔民",
            "种地",
            "农民",
            "务农",
            "养殖",
            "带学生",
            "私教",
            "自己在家",
            "接活",
            "装修队",
            "i own",
            "privately",
            "from home",
            "fisherman",
            "farmer",
            "my own boat",
            "own boat",
            "own car",
            "own team",
            "on my own",
        ),
    ),
    (
        "employed",
        (
            "上班",
            "工作",
            "公司",
            "员工",
            "职员",
            "打工",
            "工厂",
            "单位",
            "国企",
            "事业单位",
            "公务员",
            "教师",
            "employed",
            "employee",
            "work at",
            "work for",
            "work in",
            "work as",
            "working at",
            "working for",
            "working in",
            "i work",
            "job",
            "full-time",
            "full time",
            "part-time",
            "part time",
            "salary",
            "staff",
            "收银",
            "服务员",
            "护士",
            "老师",
            "医生",
            "保安",
            "保洁",
            "工人",
            "销售",
            "导购",
            "会计",
            "程序员",
            "工程师",
            "经理",
            "主管",
            "班长",
            "文员",
            "前台",
            "快递",
            "分拣",
            "仓库",
            "工地",
            "干活",
            "村干部",
            "村委会",
            "中介",
            "厨师",
            "理发",
            "司机",
            "车间",
            "厂里",
            "在外企",
            "nurse",
            "teacher",
            "i teach",
            "cashier",
            "waitress",
            "waiter",
            "receptionist",
            "guard",
            "cleaner",
            "engineer",
            "programmer",
            "developer",
            "accountant",
            "manager",
            "director",
            "sales",
            "i sell",
            "clerk",
            "official",
            "officer",
            "driver",
            "worker",
            "warehouse",
            "factory",
            "assembly line",
            "construction site",
            "building site",
            "marketing",
            "front desk",
            "team leader",
            "workshop",
            "hospital",
            "civil servant",
            "estate agent",
            "chef",
            "cook",
            "assistant",
            "at a company",
            "company",
            "卖车",
            "打工",
            "at a bank",
            "pays me",
        ),
    ),
)


def classify_employment(text: str, lang: str = "zh") -> str | None:
    """Classify the caller's employment.

    Args:
        text: Recogniser output or typed text ("我在公司上班", "我是个体户", "退休了",
            "I'm a student", "I'm self-employed").
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        One of "employed", "self_employed", "retired", "student", "unemployed", or None.
        Kinds mentioned only to be denied ("我不是学生") are skipped.
    """
    del lang  # both languages are always recognised
    said = normalize(text)
    for teaching in ("带学生", "教学生", "学生家长", "teach kids", "students privately"):
        said = said.replace(teaching, "带课")
    # "给一个老板开货车" works for a boss; it does not make the caller one.
    said = re.sub(r"给(?:一个|个)?老板", "打工", said)
    for kind, keywords in _EMPLOYMENT_KEYWORDS:
        for keyword in keywords:
            for position in _match.find_all(said, keyword):
                # 没工作 / "not working" are themselves the negative kind: only skip a
                # keyword whose own negation is not part of the keyword.
                if kind != "unemployed" and _match.negated_at(said, position):
                    continue
                return kind
    return None
