"""The outcome of verifying a caller, and the comparison of stated facts with the registry.

A caller is verified in three steps: the stated name and registered mobile match the
registry record found by ID number, then security questions, then a one-time code. This
module names the outcomes and does the first comparison; it decides nothing about loans.

Names arrive through speech recognition, so the comparison ignores spacing, width, case,
the middle dot of transliterated names (阿卜杜拉·艾力) and the order of Latin-script name
parts ("Li Hua" / "Hua Li"), and reads common traditional characters as simplified ones.
The speech layer converts traditional to simplified text in full; the small table here
covers name characters for text that reaches the core another way.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Final

from lendline.identity.phone import InvalidMobileNumber, MobileNumber
from lendline.identity.registry import CustomerRecord


class VerificationOutcome(StrEnum):
    """How verifying a caller ended."""

    VERIFIED = "verified"
    FAILED_REGISTRY = "failed_registry"
    FAILED_QUESTIONS = "failed_questions"
    FAILED_OTP = "failed_otp"
    LOCKED = "locked"


#: Traditional → simplified for characters common in names (surnames first).
_TRADITIONAL: Final = str.maketrans(
    "陳張劉黃趙吳鄭孫馬許羅謝韓馮鄧蕭蔣葉盧賈閻鍾譚陸範賴龐錢湯喬賀龔萬顧嚴龍蘇聶齊溫歐區車鄒楊"
    "偉華國紅軍東興誠強傑輝麗嬌鳳靜廣鵬飛濤劍豔穎瑩義禮賢學樂寧慶貴雲愛蓮錦銘曉寶鋒順壽榮蘭雙"
    "瑋韻綺詩婭嫻儀連園陽亞歡鈞權達進為會書長開鳴楓",
    "陈张刘黄赵吴郑孙马许罗谢韩冯邓萧蒋叶卢贾阎钟谭陆范赖庞钱汤乔贺龚万顾严龙苏聂齐温欧区车邹杨"
    "伟华国红军东兴诚强杰辉丽娇凤静广鹏飞涛剑艳颖莹义礼贤学乐宁庆贵云爱莲锦铭晓宝锋顺寿荣兰双"
    "玮韵绮诗娅娴仪连园阳亚欢钧权达进为会书长开鸣枫",
)
#: Separators inside a name: spaces, the middle dots of transliterated names, hyphens.
_NAME_SEPARATORS: Final = re.compile(r"[\s·・•‧.\-]+")


def normalise_name(name: str) -> str:
    """Return ``name`` in the form names are compared in.

    Args:
        name: a full name as stated or stored.

    Returns:
        Simplified, case-folded, width-folded, with name parts separated by single spaces.
    """
    folded = unicodedata.normalize("NFKC", name).translate(_TRADITIONAL).casefold()
    return _NAME_SEPARATORS.sub(" ", folded).strip()


def names_match(stated: str, on_record: str) -> bool:
    """Whether a stated name is the recorded one, allowing for the variations above.

    Args:
        stated: the name the caller gave.
        on_record: the name in the registry.

    Returns:
        True if they are the same name.
    """
    left, right = normalise_name(stated), normalise_name(on_record)
    if not left or not right:
        return False
    if left.replace(" ", "") == right.replace(" ", ""):
        return True
    # Latin-script names come in either order (given name first or family name first).
    return left.isascii() and right.isascii() and sorted(left.split()) == sorted(right.split())


def matches_registry(
    record: CustomerRecord, name: str, mobile: MobileNumber
) -> tuple[bool, list[str]]:
    """Compare what the caller stated with the registry record found by ID number.

    Args:
        record: the registry record.
        name: the full name the caller stated.
        mobile: the mobile number the caller stated.

    Returns:
        Whether everything matches, and the names of the record fields that do not
        (``"full_name"``, ``"mobile"``), in that order. The values themselves are left
        out so the result can be logged.
    """
    mismatches: list[str] = []
    if not names_match(name, record.full_name):
        mismatches.append("full_name")
    try:
        registered = MobileNumber.parse(record.mobile)
    except InvalidMobileNumber:
        # A malformed number on file cannot vouch for anyone.
        registered = None
    if registered is None or registered.digits != mobile.digits:
        mismatches.append("mobile")
    return not mismatches, mismatches
