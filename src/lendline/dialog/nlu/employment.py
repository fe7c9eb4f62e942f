"""How the caller earns: an employment status from the caller's own words.

The phrases live in a versioned data file (``vocabulary/employment.toml``), checked kind by
kind in its order ("没工作" is unemployment before "工作" makes it a job). Beyond the
phrases, the shape of an answer about a job ("在医院当护士", "I'm a plumber at a hotel",
"做电话销售的") says the caller works for someone; the caller's own business is said with
its own words (自己, own, 开…店), which are checked first.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Final

from lendline.dialog.nlu import _match
from lendline.dialog.nlu.text import normalize


@dataclass(frozen=True, slots=True)
class EmploymentVocabulary:
    """The employment phrases of one version.

    Parameters:
        version: the data file's version.
        kinds: (status, phrases) in the order they are checked.
    """

    version: str
    kinds: tuple[tuple[str, tuple[str, ...]], ...]


@cache
def vocabulary() -> EmploymentVocabulary:
    """Load the employment vocabulary shipped with the package."""
    raw = files("lendline.dialog.nlu.vocabulary").joinpath("employment.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    order = data["meta"]["order"]
    return EmploymentVocabulary(
        version=data["meta"]["version"],
        kinds=tuple((kind, tuple(data["phrases"][kind])) for kind in order),
    )


#: Phrases about teaching or bosses that would otherwise read as another status.
_REWRITES: Final = (
    ("带学生", "带课"),
    ("教学生", "带课"),
    ("学生家长", "家长"),
    ("teach kids", "teach"),
    ("students privately", "privately"),
    ("student counsellor", "counsellor"),
    ("student counselor", "counselor"),
    ("招学生", "招生"),
    ("学生托管", "托管"),
    ("给学生", "给人"),
)
#: A business of one's own said by its shape: 开个小饭馆 / 开快递驿站的 / 种橘子的.
_OWN_BUSINESS: Final = re.compile(
    r"开(?:了)?(?:个|家|间)?.{0,6}(?:店|馆|厂|铺|驿站|摊|超市|工作室)|^(?:种|养|卖).{1,5}的"
    r"|做.{0,4}生意|自己的$"
    r"|\bi (?:have|own|run|got)\b.{0,25}\b(?:shop|store|stall|business|restaurant|salon|studio|"
    r"farm|boat|truck|excavator|team)\b"
)
_FOR_A_BOSS: Final = re.compile(
    r"(?:给|帮|跟|替|跟着)(?:一个|个|我们)?(?:老板|公司)|老板(?:发|按|给)|发工资|雇主"
    r"|\b(?:the )?owner pays|work for the owner|\bboss's\b|\ba boss\b"
    # Paid by the job or the piece is freelance work ("the agency pays me per job").
    r"|\b(?:pays me|paid by)\b(?!.{0,30}\bper (?:job|piece|gig|project|task)\b)"
)
#: The shape of "I work as/at …": a job held for someone else.
_JOB_SHAPES: Final = re.compile(
    r"在.{1,12}(?:上班|工作|做|干|当|打工|上岗)|(?:当|做|干)(?:个|了)?.{1,8}的?$|^做.{1,8}的"
    r"|[\u4e00-\u9fff]{1,4}员|^在.{2,}|[\u4e00-\u9fff]{1,4}(?:师|师傅|工|匠)(?:$|[,，])"
    r"|\b[a-z]{3,}(?:er|or|ist|ian|ant|ect|man|woman)\b"
    r"|\b(?:i'm|i am|im|i work as|working as)\s+(?:an?\s+|the\s+)?[a-z]+"
    r"|\b(?:at|for|with)\s+(?:an?\s+|the\s+)?[a-z]+"
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
    for phrase, meaning in _REWRITES:
        said = said.replace(phrase, meaning)
    # "给一个老板开货车" works for a boss; it does not make the caller one.
    said = _FOR_A_BOSS.sub("打工", said)
    works_for_someone = "打工" in said and "自己" not in said
    own = None if works_for_someone else _OWN_BUSINESS.search(said)
    if own is not None and not _match.negated_at(said, own.start()):
        return "self_employed"
    for kind, keywords in vocabulary().kinds:
        if kind == "self_employed" and works_for_someone:
            # "跟着老板干", "the owner pays me": a boss's words do not make the caller one.
            continue
        for keyword in keywords:
            for position in _match.find_all(said, keyword):
                # 没工作 / "not working" are themselves the negative kind: only skip a
                # keyword whose own negation is not part of the keyword.
                if kind != "unemployed" and _match.negated_at(said, position):
                    continue
                return kind
    if _JOB_SHAPES.search(said) and "?" not in said and "？" not in said:
        return "employed"
    return None
