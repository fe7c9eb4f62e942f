"""Reading the application's answers: amounts, terms, purposes, incomes, jobs.

Each reader turns one answer into a :class:`Reading`: the value to store, why it cannot be
taken, or the explicit confirmation to ask first (an income that is likely yearly, or far
from the registry's). Self-corrections inside the answer keep the caller's last version;
clauses are read apart so "九个月能行不？九个月吧" is one term, not two added up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from lendline.dialog.nlu.choices import classify_employment, classify_purpose
from lendline.dialog.nlu.colloquial import colloquial
from lendline.dialog.nlu.digressions import detect_digression
from lendline.dialog.nlu.money_meaning import Period, income_on_top, period_of, read_money
from lendline.dialog.nlu.numbers import parse_amount, parse_term_months
from lendline.dialog.nlu.numerals import EN_COUNT_WORDS
from lendline.dialog.nlu.self_correction import latest_version
from lendline.dialog.nlu.text import DASHES, clauses, normalize, strip_punct
from lendline.dialog.steps.lawful_use import ask_lawful_use, banned_read_back
from lendline.dialog.steps.review import ASK_WITH_CHOICES, REVISING, amount_limits
from lendline.dialog.turn import Prompt
from lendline.lending.purpose import PurposeCategory

if TYPE_CHECKING:
    from lendline.dialog.context import DialogContext

_LONGEST = re.compile(
    r"最长|越长越好|\blongest\b|\bmaximum\b|\bthe max\b|\bas long as (?:possible|you can|i can)\b"
)
_SHORTEST = re.compile(r"最短|\bshortest\b|\bminimum\b|\bthe min\b")
_THE_ONE = re.compile(r"\b(shortest|longest|minimum|maximum)\s+one\b")
_QUARTER = re.compile(r"一个季度|一季度|\ba quarter\b|\bone quarter\b")
#: "一年就一年吧": one term said twice is one term, not two added up.
_REPEATED_TERM = re.compile(
    r"((?:[\d一二两三四五六七八九十半]+)(?:年|个月|期))[^\d一二两三四五六七八九十]{0,4}\1"
)
_ZERO_INCOME = re.compile(
    r"没工资|没收入|没有收入|没什么收入|没啥收入|零收入|没挣钱|不挣钱|没有工资|没开张"
    r"|\bzero\b|\bno income\b|\bnothing\b|\b(?:don't|do not|not) earn\b|\bnot earning\b"
    r"|\bno salary\b|\bnone\b(?! of)"
)
#: Savings live on are no income ("No salary right now. I've got savings, about eighty
#: thousand, I'm living on that.").
_SAVINGS = re.compile(r"积蓄|存款|存的钱|老本|\bsavings\b|\bsaved up\b")
#: ... but the interest they earn is ("就存款那点利息，几百块吧").
_INTEREST = re.compile(r"利息|\binterest\b")
_PAST = re.compile(
    r"之前|以前|原来|过去|上一份|上份|\bbefore the\b|\bused to\b|\bwas on\b|\bpreviously\b"
    r"|\b(?:my|the) (?:last|previous|old) (?:job|contract|employer|salary|position)\b"
)
_AVERAGE = re.compile(
    r"平均(?:下来|算下来|每月|一个月)?|摊下来|算下来|\bon average\b|\baverage(?:d)?\b|\bcall it\b"
)
_TAKE_HOME = re.compile(r"到手|税后|实发|\bafter tax\b|\btake-?home\b|\bnet\b|\bafter\b")


def _scaled(part: str, whole: str) -> str:
    """A bare small figure beside a large one takes its thousands ("13k before, 10 after")."""
    value = parse_amount(part)
    figures = [parse_amount(p) for p in clauses(whole)]
    if (
        value is not None
        and value < _SHORTHAND_BELOW
        and any(f is not None and f >= 1000 for f in figures)
    ):
        return part.replace(str(parse_amount(part)), "") + f" {value * 1000}"
    return part


#: A monthly income at or above this, said without a period, is likely a yearly figure.
_LIKELY_YEARLY = Decimal(100_000)
#: An income this many times above (or below) the registry's is confirmed explicitly.
_REGISTRY_FACTOR = Decimal(3)


@dataclass(frozen=True, slots=True)
class Reading:
    """What an answer gave for a slot.

    Parameters:
        value: the value to store (as the slot keeps it), or None.
        problem: why the value cannot be taken (said to the caller), if so.
        confirm: the explicit confirmation to ask before storing ``value``, if needed.
    """

    value: str | None = None
    problem: Prompt | None = None
    confirm: Prompt | None = None


def _says_amount(text: str) -> bool:
    return parse_amount(text) is not None


#: A bare small figure beside a large one is shorthand ("15k instead? 10 might not be enough").
_SHORTHAND_BELOW = Decimal(100)


def last_amount_said(text: str) -> str:
    """The clause holding the caller's final amount.

    After a self-correction (see ``latest_version``), the last clause that says an amount
    is the one meant ("six. six thousand, I got a raise" is 6,000), skipping a bare
    small figure when a large one was also said.
    """
    said = latest_version(text, _says_amount)
    valued = [(part, parse_amount(part)) for part in clauses(said)]
    valued = [(part, value) for part, value in valued if value is not None]
    if not valued:
        return said
    large = [pair for pair in valued if pair[1] is not None and pair[1] >= _SHORTHAND_BELOW]
    # After a self-correction the first figure is the new one ("改成三万吧，两万怕不够").
    return (large or valued)[0 if said != normalize(text) else -1][0]


def ruled_out_removed(text: str) -> str:
    """``text`` without the value it rules out ("eighteen months rather than twelve")."""
    return _RULED_OUT.sub(" ", normalize(text))


_RULED_OUT = re.compile(r"\b(?:rather than|instead of)\b[^,.!?;]*|而不是[^，。！？；,.!?;]*")


def read_amount(ctx: DialogContext, text: str, digits: str) -> Reading:
    """An amount within the product's range."""
    text = ruled_out_removed(text)
    if digits.isdigit():
        amount: Decimal | None = Decimal(digits)
    else:
        amount = parse_amount(last_amount_said(colloquial(normalize(text))), ctx.lang)
    if amount is None or amount <= 0:
        return Reading(problem=ctx.say("amount_invalid"))
    product = ctx.desk.product
    if not digits.isdigit():
        said = colloquial(normalize(text))
        settled = _bare_figure_last(said)
        if amount < product.min_amount.amount:
            amount = _in_the_unit_said_before(said, amount) or amount
        elif settled is not None and settled < _SHORTHAND_BELOW:
            # "Twenty-odd thousand. Twenty-two.": the bare figure closing the turn settles it.
            amount = _in_the_unit_said_before(said, settled) or amount
    if not product.min_amount.amount <= amount <= product.max_amount.amount:
        return Reading(problem=ctx.say("amount_out_of_range", **amount_limits(ctx)))
    return Reading(str(amount))


def _in_the_unit_said_before(said: str, amount: Decimal) -> Decimal | None:
    """A bare figure settled on after an amount with its unit, in that unit.

    "Twenty or twenty-five thousand. Let's say twenty-five." and "Twenty thousand. Maybe
    twenty-five... no, twenty." settle on 25,000 and 20,000: the figure takes the unit
    (thousand or 万) that puts it nearest the amount said first.
    """
    parts = [part for clause in clauses(said) for part in _ALTERNATIVES.split(clause)]
    earlier = [a for a in map(parse_amount, parts) if a is not None and a >= _A_THOUSAND]
    if not earlier:
        return None
    first = earlier[0]
    scaled = min((amount * unit for unit in _UNITS), key=lambda v: abs((v / first).log10()))
    return scaled if abs((scaled / first).log10()) <= 1 else None


def _bare_figure_last(said: str) -> Decimal | None:
    """The figure of the turn's last clause when that clause is a number and nothing else."""
    last = [part.strip() for part in clauses(said) if part.strip()][-1:]
    if not last or not _BARE_NUMBER.fullmatch(last[0]):
        return None
    return parse_amount(last[0])


_NUMBER_WORD = "(?:" + "|".join(sorted(EN_COUNT_WORDS, key=lambda w: (-len(w), w))) + ")"
_BARE_NUMBER = re.compile(
    rf"(?:(?:let's |let us )?say |maybe |so |ok |okay |make it |那就|就)?"
    rf"(?:{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})?|\d{{1,2}}|[一二两三四五六七八九十]{{1,3}})"
    r"(?:吧|好了)?"
)
_A_THOUSAND = Decimal(1000)
#: "A year and a half — or if you don't do that, two years": the second term is only wanted
#: if the first is not offered.
_FALLBACK = re.compile(
    r"[\s,，—-]*(?:\bor if (?:you )?(?:don't|do not|can't|cannot|not)\b|\bif not,|\botherwise\b"
    r"|不行的话|没有的话|不行就|没有就)(?P<rest>.*)$",
    re.IGNORECASE,
)
_ALTERNATIVES = re.compile(r"\b(?:or|to)\b|还是|或者")
#: Thousand and 万.
_UNITS = (Decimal(1000), Decimal(10000))


def _says_term(text: str) -> bool:
    return parse_term_months(text) is not None


def read_term(ctx: DialogContext, text: str, digits: str) -> Reading:
    """A term the product offers: the first choice, or the fallback said after it."""
    fallback = _FALLBACK.search(text)
    if fallback is None or digits:
        return _read_term(ctx, text, digits)
    first = _read_term(ctx, text[: fallback.start()], digits)
    if first.value is not None:
        return first
    second = _read_term(ctx, fallback.group("rest"), digits)
    return second if second.value is not None else first


def _read_term(ctx: DialogContext, text: str, digits: str) -> Reading:
    text = ruled_out_removed(text)
    terms = ctx.desk.product.terms_months
    # "the shortest one": that "one" counts nothing.
    said_plain = _THE_ONE.sub(r"\1", normalize(text))
    if digits.isdigit():
        months: int | None = int(digits)
    elif _LONGEST.search(said_plain) and not _says_term(said_plain):
        months = max(terms)
    elif _SHORTEST.search(said_plain) and not _says_term(said_plain):
        months = min(terms)
    else:
        # "九个月能行不？九个月吧": the last clause that names a term is the answer (the
        # parser adds up the parts of one term, "一年零六个月", so clauses are read apart).
        said = _REPEATED_TERM.sub(
            r"\1", _QUARTER.sub("三个月", colloquial(latest_version(text, _says_term)))
        )
        said = _THE_ONE.sub(r"\1", said)
        # "九个月吧，一个月少还点": "一个月" there is how much a month, not a term.
        terms_said = [
            part
            for part in clauses(said, joiners=DASHES)
            if not _PER_MONTH_REMARK.search(part) and not _NOT_THIS.match(part)
        ]
        found = [m for m in map(parse_term_months, terms_said) if m is not None]
        if found and (len(set(found)) == 1 or said != normalize(text)):
            # One term said again, or the first term after a self-correction.
            months = found[0]
        else:
            months = parse_term_months(said)
    if months is None or months not in terms:
        return Reading(problem=ctx.say("term_invalid", terms=ctx.render.term_list(terms)))
    return Reading(str(months))


#: "Oh, not ten. Twelve, then.": the term ruled out is no term said.
_NOT_THIS = re.compile(r"\s*(?:(?:oh|no|well|um)\s+)*(?:not|不是|不要)\s*(?!sure|bad)\S")
_PER_MONTH_REMARK = re.compile(r"(?:一个月|每个月|每月)\s*(?:少|多|还|要还|付|交|压力)")


def _says_purpose(text: str) -> bool:
    return classify_purpose(text) is not None


def read_purpose(ctx: DialogContext, text: str, digits: str) -> Reading:
    """A purpose category; "other" (with the words kept) once it has been asked twice.

    A forbidden use is read back before it is stored (``steps.lawful_use``).
    """
    said = latest_version(text, _says_purpose) if text else ""
    purpose = classify_purpose(said, ctx.lang) if said else None
    if purpose is not None:
        return Reading(purpose.value, confirm=banned_read_back(ctx, purpose))
    slots = ctx.state.slots
    other = Reading(PurposeCategory.OTHER.value, confirm=ask_lawful_use(ctx))
    with_choices = "purpose" in (slots.get(REVISING), slots.get(ASK_WITH_CHOICES))
    if with_choices and _OTHER_CHOICE.search(normalize(text)):
        # "其他" picked from the choices read out: the words said first stay with it.
        return other
    if _substantive(text) and slots.get("purpose_clarified"):
        # The caller's own words go with "other" (the state is sealed like every answer),
        # once the caller has promised the money goes to no forbidden use.
        slots["purpose_words"] = strip_punct(normalize(text))[:200]
        return other
    slots["purpose_clarified"] = "1"
    return Reading(problem=ctx.say("purpose_unclear"))


_OTHER_CHOICE = re.compile(r"其他|其它|别的|\b(?:something else|other|none of (?:these|them))\b")


def _substantive(text: str) -> bool:
    """Whether an answer says something (not a question, not a filler)."""
    said = strip_punct(normalize(text))
    if not said or detect_digression(text) is not None or "?" in text or "？" in text:
        return False
    cjk = sum(1 for ch in said if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 or len(said.split()) >= 2


def read_income(ctx: DialogContext, text: str, digits: str) -> Reading:
    """A monthly income: periods converted, ranges to their middle, implausible confirmed."""
    if digits.isdigit():
        return Reading(str(Decimal(digits)))
    # Not what was earned before, nor savings: see _not_income.
    now = "，".join(_not_income(clauses(normalize(text))))
    if _ZERO_INCOME.search(now) and read_money(_ZERO_INCOME.sub(" ", now)) is None:
        return Reading("0")
    said = latest_version(colloquial(now or normalize(text)), _says_amount)
    take_home = [part for part in clauses(said) if _TAKE_HOME.search(part) and _says_amount(part)]
    if take_home:
        # "税前一万三，到手一万出头": what reaches the account is the income meant.
        said = _scaled(take_home[-1], said)
    elif average := _AVERAGE.search(said):
        # "旺季两三万，淡季几千，平均一万五": the average is the monthly figure meant.
        said = said[average.end() :] if _says_amount(said[average.end() :]) else said
    reading = read_money(said)
    figures = [parse_amount(part) for part in clauses(said)]
    if added := income_on_top(clauses(said)):
        reading = added
    elif len([f for f in figures if f is not None and f >= _SHORTHAND_BELOW]) > 1:
        # Several figures ("一万……我自己的话五千"): the caller's final one.
        reading = read_money(last_amount_said(said)) or reading
    if reading is None or reading.value <= 0:
        return Reading(problem=ctx.say("income_invalid"))
    monthly = reading.monthly
    value = str(monthly)
    if reading.period is Period.UNSAID and monthly >= _LIKELY_YEARLY:
        ctx.state.slots["confirm_raw"] = str(reading.value)
        return Reading(value, confirm=ctx.say("confirm_income_period", income=_amount(ctx, value)))
    registry = _registry_income(ctx)
    if registry and not registry / _REGISTRY_FACTOR <= monthly <= registry * _REGISTRY_FACTOR:
        if reading.period is Period.UNSAID:
            # "No, that's per year." in answer is read with the figure being confirmed.
            ctx.state.slots["confirm_raw"] = str(reading.value)
        return Reading(value, confirm=ctx.say("confirm_income", income=_amount(ctx, value)))
    return Reading(value)


def _not_income(parts: list[str]) -> list[str]:
    """The clauses that may say the income now.

    Not what was earned before ("之前一万三", "I was on 18k"), not savings lived on, nor the
    figure said right after them ("I've got savings, about eighty thousand").
    """
    kept: list[str] = []
    after_savings = False
    for part in parts:
        savings = bool(_SAVINGS.search(part)) and not _INTEREST.search(part)
        if _PAST.search(part) or savings:
            after_savings = savings
            continue
        if after_savings and len(part.split()) <= 4 and _says_amount(part):
            continue  # "I've got savings, about eighty thousand"
        after_savings = False
        kept.append(part)
    return kept


def reread_income(ctx: DialogContext, text: str) -> str | None:
    """The income once the caller named the period of the figure being confirmed."""
    period = period_of(text)
    raw = ctx.state.slots.get("confirm_raw")
    if period in (Period.UNSAID, Period.MONTH) or not raw or read_money(text) is not None:
        return None
    reading = read_money(raw + " " + text)
    return str(reading.monthly) if reading is not None else None


def _registry_income(ctx: DialogContext) -> Decimal | None:
    id_number = ctx.state.slots.get("id_number")
    record = ctx.desk.find_customer(id_number) if id_number else None
    return record.monthly_income if record is not None and record.monthly_income else None


def read_employment(ctx: DialogContext, text: str, digits: str) -> Reading:
    """An employment status; "other" with the words kept once asked twice."""
    said = latest_version(text, lambda part: classify_employment(part) is not None)
    kind = classify_employment(said, ctx.lang) if text else None
    if kind is not None:
        return Reading(kind)
    slots = ctx.state.slots
    if _substantive(text) and slots.get("employment_clarified"):
        slots["employment_words"] = strip_punct(normalize(text))[:200]
        return Reading("other")
    slots["employment_clarified"] = "1"
    return Reading(problem=ctx.say("employment_unclear"))


def _amount(ctx: DialogContext, value: str) -> str:
    return ctx.render.amount(Decimal(value))
