"""What the loan is for: a purpose category from the caller's own words.

Purpose decides whether the law allows the loan at all (DOMAIN-NOTES R2), so a banned
purpose named anywhere in the answer wins over benign ones ("装修完再炒股" is securities),
while a banned purpose the caller explicitly rules out ("不是用来炒股的，是装修") does not
count. The phrases live in a versioned data file (``vocabulary/purposes.toml``). An answer
that names nothing known gives None: the script asks once more, then keeps the words as
"other"; nothing is guessed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import clause_spans, clauses, normalize
from lendline.lending.purpose import BANNED_PURPOSES, PurposeCategory


@dataclass(frozen=True, slots=True)
class PurposeVocabulary:
    """The purpose phrases of one version.

    Parameters:
        version: the data file's version.
        phrases: category -> phrases naming it.
        weak: phrases that say little on their own (any more specific benign one wins).
        rewrites: (compound, meaning) pairs applied before matching.
    """

    version: str
    phrases: dict[PurposeCategory, tuple[str, ...]]
    weak: frozenset[str]
    rewrites: tuple[tuple[str, str], ...]


@cache
def vocabulary() -> PurposeVocabulary:
    """Load the purpose vocabulary shipped with the package."""
    raw = files("lendline.dialog.nlu.vocabulary").joinpath("purposes.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return PurposeVocabulary(
        version=data["meta"]["version"],
        phrases={PurposeCategory(k): tuple(v) for k, v in data["phrases"].items()},
        weak=frozenset(data["matching"]["weak"]),
        rewrites=tuple((str(a), str(b)) for a, b in data["matching"]["rewrites"]),
    )


#: "去泰国玩", "去云南旅个游", "带他们去北京看看", "take my wife to Hokkaido": going
#: somewhere to enjoy it (the place's own purpose, 去医院看看, is said first and wins).
_GOING_PLACES = re.compile(
    r"去(?:趟|一趟)?[\u4e00-\u9fff]{1,5}?(?:玩|旅游|旅行|转转|逛逛|看看)"
    r"|\b(?:take|taking|bring|bringing) (?:my|our) (?:\w+ )?(?:wife|husband|parents|mum|mom"
    r"|dad|mother|father|kids|children|family|girlfriend|boyfriend|partner|son|daughter) to\b"
)
#: A parking space (车位, 车库) is property, not a car.
_CAR = re.compile(r"车(?![位库])|\bcar\b|\bsuv\b|\bvehicle\b")
_REPAIRS = re.compile(r"\brepairs?\b|维修|修理")
_PARKING_SPACE = re.compile(r"车位|车库|\bparking (?:space|spot|lot)\b|\bgarage\b")
_BUYING = re.compile(r"买|购|\b(?:buy|buying|bought|purchase)\b")
_LETTING = re.compile(r"出租出去|租出去|\brent (?:it|them) out\b")
#: A clause about what is already done ("首付早付完了", "we paid off the flat last year"):
#: background to the answer, not what this money is for.
_DONE = re.compile(
    r"已经|早就|早[已付交还]|去年|前年|那年|[付交还]完|还清|付清|\balready\b|\blast year\b"
    r"|\bpaid (?:off|it off|for it)\b|\bbought (?:it|the \w+) (?:in|last|years)\b"
)
_HOME = re.compile(r"房|\bhouse\b|\bflat\b|\bapartment\b|\bhome\b|\bproperty\b")
_DOWN_PAYMENT = re.compile(r"首付|down payment|月供")
#: A home to buy, a payment that secures a purchase, and words of renting: "看中一套房，先交
#: 个定金" and "earnest money to the seller of the flat" buy a home; "押金和第一个月房租" and
#: "the deposit on a new apartment" (in English, mostly a tenant's) do not.
_A_HOME = re.compile(
    r"套房|房子|房产|楼盘|商品房|二手房|新房|公寓|\b(?:house|flat|apartment|property|condo|villa)\b"
)
_SECURES_A_PURCHASE = re.compile(
    r"定金|订金|首付|过户|\b(?:shoufu|down ?payment|earnest money|seller|sellers)\b"
    r"|\bput(?:ting)? down (?:a|the) deposit\b"
)
#: Shop premises: bought, a fixed asset; rented, the shop's running costs.
_SHOP_PREMISES = re.compile(r"商铺|铺面|门面房")
_RENTING = re.compile(r"租|\b(?:rent|rental|renting|landlord|lease|tenancy)\b")
#: Work on a home already bought ("新房装修，先付设计定金") buys none.
_WORKS = re.compile(
    r"装修|翻新|装潢|家具|\b(?:renovat\w*|refurbish\w*|decorat\w*|remodel\w*|furniture)\b"
)


#: The caller's own business named as what the money is for ("给饭馆换灶台", "水果摊要添个冷
#: 藏柜", "a griddle for the arepa stall", "my customers want everything"): equipment and
#: stock for it are working capital, not goods for the home nor the season's trip.
_FOR_A_BUSINESS = re.compile(
    r"(?:给|我的|我们|自家|咱)(?:我们|咱们)?(?:的)?(?:小)?[\u4e00-\u9fff]?"
    r"(?:馆|店|摊|铺|驿站|厂|作坊|工作室)"
    r"|驿站|档口|摊位|水果摊|摆摊|小卖部|门店|店面|店铺|铺子|店里卖|备货|进货|压货|囤货|托管班"
    r"|干活的|干活用|做生意|生意上"
    r"|\b(?:my|our)(?: \w+)? (?:shop|store|stall|caf[eé]|restaurant|salon|studio|workshop"
    r"|bakery|business|orchard|farm|food truck)\b"
    r"|\bfor (?:the|my|our)(?: \w+)? (?:shop|store|stall|caf[eé]|restaurant|salon|business"
    r"|bakery)\b"
    r"|\b(?:customers|clients|inspectors?|wholesale|inventory|restock\w*|stock(?:ing)? up"
    r"|my goods|the markets)\b"
)
#: A return promised on money put somewhere ("放到平台上，年化百分之十二", "a platform … it
#: pays twelve percent"): the money is invested, whatever it is called. The loan's own rate
#: ("年化多少？", "5 percent a year, right?") is no such promise.
_PROMISED_RETURN = re.compile(
    r"(?:平台|理财|投|放到|放在|存到).{0,12}(?:年化|月化|月息|日息|收益|回报).{0,4}(?:百分之|\d)"
    r"|\b(?:it|that|which|platform|scheme|app) pays? (?:\w+ )?(?:percent|%)"
)
#: What a business named beside it turns into working capital.
_HOME_OR_LEISURE = frozenset(
    {
        PurposeCategory.CONSUMER_GOODS,
        PurposeCategory.TRAVEL,
        PurposeCategory.WEDDING,
        PurposeCategory.FAMILY_EVENT,
    }
)


def _secures_a_home(said: str) -> bool:
    """Whether the money secures a home bought: a deposit or down payment on it.

    Works on the home bought are no purchase when they are what the deposit is for ("新房装修，
    先付设计定金"), but do not hide one said beside them ("看好了一套二手房，交个定金，剩下的
    以后装修用").
    """
    if not (_A_HOME.search(said) and _SECURES_A_PURCHASE.search(said)) or _RENTING.search(said):
        return False
    if not _WORKS.search(said):
        return True
    parts = clauses(said)
    for index, part in enumerate(parts):
        before = parts[index - 1] if index else ""
        if (
            _SECURES_A_PURCHASE.search(part)
            and not _DONE.search(part)
            and not _WORKS.search(part + before)
            and _A_HOME.search(part + before)
        ):
            return True
    return False


def _weight(keyword: str, weak: frozenset[str]) -> int:
    """How specific a keyword is: its characters in Chinese, its words + 1 in English."""
    if keyword in weak:
        return 1
    return len(keyword) if _match.is_cjk(keyword) else len(keyword.split()) + 1


def classify_purpose(text: str, lang: str = "zh") -> PurposeCategory | None:
    """Classify what the caller says the loan is for.

    A banned purpose mentioned anywhere wins over benign ones; a banned purpose the caller
    rules out just before naming it ("不是炒股", "not for stocks") is ignored. Among benign
    purposes the most specific phrase wins, then the first said.

    Args:
        text: Recogniser output or typed text.
        lang: "zh" or "en"; a hint only, both are recognised.

    Returns:
        The purpose category, or None if no known purpose was named.
    """
    del lang  # both languages are always recognised
    vocab = vocabulary()
    said = normalize(text)
    for compound, meaning in vocab.rewrites:
        said = said.replace(compound, meaning)
    if _GOING_PLACES.search(said):
        said += "，旅游"
    if _LETTING.search(said) and not _BUYING.search(said):
        # "我那套出租的房子，租客走了，要刷刷墙": a home let already, not one bought to let.
        said = _LETTING.sub(" ", said)
    if _PARKING_SPACE.search(said) and _BUYING.search(said) and not _RENTING.search(said):
        # "小区在卖产权车位": a parking space bought is property bought.
        said += ", buy the house"
    if _PROMISED_RETURN.search(said):
        said += ", wealth management product"
    if _CAR.search(said) and not _HOME.search(said):
        # "买车，付个首付，剩下的车贷": a car's down payment is a vehicle purpose; "my car
        # insurance is due, and some repairs" repairs the car.
        said = _DOWN_PAYMENT.sub("vehicle purchase", said)
        said = _REPAIRS.sub("car repair", said)
    elif _secures_a_home(said):
        said += ", buy the house"
    if _RENTING.search(said) and not _BUYING.search(said):
        # "店要搬到新铺面，交铺租": premises rented for a shop are its running costs.
        said = _SHOP_PREMISES.sub("店面", said)
    done = [(a, b) for a, b in clause_spans(said) if _DONE.search(said[a:b])]
    # (banned and meant now?, weight, -position) ranks the candidates; the highest wins.
    best: tuple[bool, int, int] | None = None
    choice: PurposeCategory | None = None
    banned_done: PurposeCategory | None = None
    for category, keywords in vocab.phrases.items():
        for keyword in keywords:
            for position in _match.find_all(said, keyword):
                if _match.negated_at(said, position):
                    continue
                banned = category in BANNED_PURPOSES
                if banned and any(start <= position < end for start, end in done):
                    # "房子去年买的，首付早付完了，现在要买家具": the home is bought; the
                    # furniture is the purpose. Banned still, if nothing else is named.
                    banned_done = banned_done or category
                    continue
                rank = (banned, _weight(keyword, vocab.weak), -position)
                if best is None or rank > best:
                    best, choice = rank, category
    home_or_leisure = (
        choice is None
        or choice in _HOME_OR_LEISURE
        or (choice is PurposeCategory.HOME_RENOVATION and not _HOME.search(said))
    )
    if home_or_leisure and banned_done is None and _FOR_A_BUSINESS.search(said):
        return PurposeCategory.BUSINESS_WORKING_CAPITAL
    return choice or banned_done
