"""Retention rules as data, and the pure decision of how long a person's data must be kept.

The periods come from DOMAIN-NOTES §1.8 and rules R11/R12 (research notes, not legal advice):

* identity records (registry record, identity checks, call recordings and consent audio that
  evidence identity or consent) -- at least 10 years after the business relationship ends
  (AML Law 2024 Art. 34, conf. H);
* transaction records (contracts, disbursement, repayments) -- at least 10 years after the
  transaction (AML Law 2024 Art. 34, conf. H);
* network / call logs of calls that led to nothing -- at least 6 months (Cybersecurity Law
  Art. 21(3), conf. H);
* applications declined or abandoned without a relationship -- "shortest time necessary"
  (PIPL Art. 19, 47). The notes give no number; the default here is 3 years, the general
  limitation period (Civil Code Art. 188), so the lender can still answer a complaint or
  claim about the decision. That default is a lender setting and a question for the
  lender's compliance team (conf. L).

While the law still requires storage, a deletion request is refused with the rule that
applies (PIPL Art. 47 para 2: processing is then restricted to storage and protection). A
legal hold (litigation, a regulator's or court's request) keeps everything regardless.

Everything here is pure: the service layer gathers :class:`SubjectFacts` from the database
and asks :func:`assess`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class RecordClass(StrEnum):
    """What kind of record a retention rule covers."""

    IDENTITY = "identity"
    TRANSACTION = "transaction"
    CALL_LOG = "call_log"
    DECLINED_APPLICATION = "declined_application"


class StartEvent(StrEnum):
    """The event a retention period counts from."""

    RELATIONSHIP_END = "relationship_end"
    TRANSACTION = "transaction"
    LAST_ACTIVITY = "last_activity"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """One minimum retention period.

    Parameters:
        code: stable identifier, stored in refusals and audit events.
        record_class: the records it covers.
        years: whole years of the period.
        months: further months of the period.
        starts_at: the event the period counts from.
        source: the legal source (as cited in DOMAIN-NOTES).
        confidence: the notes' confidence mark (H, M, L).
        text_zh: the reason given to the person, in Chinese.
        text_en: the same in English.
    """

    code: str
    record_class: RecordClass
    years: int
    months: int
    starts_at: StartEvent
    source: str
    confidence: str
    text_zh: str
    text_en: str

    def until(self, start: datetime) -> datetime:
        """The end of the period that starts at ``start``."""
        return add_months(start, self.years * 12 + self.months)


IDENTITY_RULE: Final = RetentionRule(
    code="AML-34-IDENTITY",
    record_class=RecordClass.IDENTITY,
    years=10,
    months=0,
    starts_at=StartEvent.RELATIONSHIP_END,
    source="AML Law (2024) Art. 34; DOMAIN-NOTES R11, §1.8",
    confidence="H",
    text_zh="依《反洗钱法》第三十四条，客户身份资料须在业务关系结束后至少保存十年",
    text_en=(
        "the Anti-Money Laundering Law (2024) Art. 34 requires customer identity records "
        "to be kept for at least 10 years after the business relationship ends"
    ),
)

TRANSACTION_RULE: Final = RetentionRule(
    code="AML-34-TRANSACTION",
    record_class=RecordClass.TRANSACTION,
    years=10,
    months=0,
    starts_at=StartEvent.TRANSACTION,
    source="AML Law (2024) Art. 34; DOMAIN-NOTES R11, §1.8",
    confidence="H",
    text_zh="依《反洗钱法》第三十四条，交易记录（合同、放款、还款）须在交易结束后至少保存十年",
    text_en=(
        "the Anti-Money Laundering Law (2024) Art. 34 requires transaction records "
        "(contract, disbursement, repayments) to be kept for at least 10 years after the "
        "transaction"
    ),
)

CALL_LOG_RULE: Final = RetentionRule(
    code="CSL-21-LOGS",
    record_class=RecordClass.CALL_LOG,
    years=0,
    months=6,
    starts_at=StartEvent.LAST_ACTIVITY,
    source="Cybersecurity Law Art. 21(3); DOMAIN-NOTES R12, §1.8",
    confidence="H",
    text_zh="依《网络安全法》第二十一条，网络日志须至少保存六个月",
    text_en="the Cybersecurity Law Art. 21(3) requires network logs to be kept for 6 months",
)

DECLINED_RULE: Final = RetentionRule(
    code="PIPL-19-DECLINED",
    record_class=RecordClass.DECLINED_APPLICATION,
    years=3,
    months=0,
    starts_at=StartEvent.LAST_ACTIVITY,
    source=(
        "PIPL Art. 19, 47 (shortest necessary); period = Civil Code Art. 188 limitation "
        "period, a lender setting; DOMAIN-NOTES §1.8"
    ),
    confidence="L",
    text_zh="未成立借款关系的申请记录在诉讼时效（三年）内保存，以便处理投诉或争议",
    text_en=(
        "records of an application that led to no loan are kept for the 3-year limitation "
        "period, to answer complaints or claims about the decision"
    ),
)

#: The rules in force, by code.
DEFAULT_RULES: Final[dict[str, RetentionRule]] = {
    rule.code: rule for rule in (IDENTITY_RULE, TRANSACTION_RULE, CALL_LOG_RULE, DECLINED_RULE)
}

#: The reason given while a loan is still owed (the relationship has not ended).
OPEN_LOAN_CODE: Final = "AML-34-OPEN-LOAN"
OPEN_LOAN_TEXT: Final = (
    "借款尚未还清，业务关系仍在存续，依《反洗钱法》第三十四条及合同履行需要须保存全部资料",
    "a loan is not yet repaid, so the relationship continues; the contract and the "
    "Anti-Money Laundering Law (2024) Art. 34 require every record to be kept",
)
#: The reason given while a legal hold is in place.
LEGAL_HOLD_CODE: Final = "LEGAL-HOLD"
LEGAL_HOLD_TEXT: Final = (
    "因诉讼、监管或司法要求，相关资料已被依法保全，暂不能删除",
    "the records are under a legal hold (litigation, a regulator's or a court's request) "
    "and cannot be deleted while it lasts",
)


def add_months(start: datetime, months: int) -> datetime:
    """``start`` moved by whole calendar months; a day past the month's end becomes its last."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, _days_in_month(year, month))
    return start.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    """What retention depends on, for one person (or one anonymous call session).

    Parameters:
        subject: the subject reference (``customer:<id>`` or ``session:<id>``).
        last_activity_at: the last time anything happened (call, application), if ever.
        has_contract: whether a loan contract was ever signed (transaction records exist).
        open_loans: how many booked or signed loans are not yet repaid.
        last_transaction_at: the last ledger transaction or signature, if any.
        is_customer: whether the subject is an identified registry customer (identity
            records exist); an anonymous call session is not.
        has_application: whether an application was ever opened.
        holds: ids of legal holds in force on the subject.
    """

    subject: str
    last_activity_at: datetime | None
    has_contract: bool = False
    open_loans: int = 0
    last_transaction_at: datetime | None = None
    is_customer: bool = False
    has_application: bool = False
    holds: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RetentionVerdict:
    """Whether a subject's data may be erased now, and if not, why and until when.

    Parameters:
        subject: the subject assessed.
        erasable: True when no rule or hold requires keeping the data any longer.
        code: the binding rule's code (or the legal hold / open loan code).
        reason_zh: the legal reason in Chinese (for a refusal notice, PIPL Art. 50).
        reason_en: the same in English.
        keep_until: when the binding period ends; None while it cannot end yet (open loan,
            legal hold) or when nothing binds.
    """

    subject: str
    erasable: bool
    code: str
    reason_zh: str
    reason_en: str
    keep_until: datetime | None


def applicable_rules(
    facts: SubjectFacts, rules: dict[str, RetentionRule] | None = None
) -> list[tuple[RetentionRule, datetime]]:
    """Every retention period that applies to the subject, with its end."""
    table = DEFAULT_RULES if rules is None else rules
    found: list[tuple[RetentionRule, datetime]] = []

    def of(record_class: RecordClass) -> Sequence[RetentionRule]:
        return [r for r in table.values() if r.record_class is record_class]

    if facts.has_contract:
        # A relationship existed: it ended with the last transaction (loans all repaid).
        end = facts.last_transaction_at or facts.last_activity_at
        if end is not None:
            found += [(r, r.until(end)) for r in of(RecordClass.IDENTITY)]
            found += [(r, r.until(end)) for r in of(RecordClass.TRANSACTION)]
    elif facts.has_application and facts.last_activity_at is not None:
        found += [
            (r, r.until(facts.last_activity_at)) for r in of(RecordClass.DECLINED_APPLICATION)
        ]
    if facts.last_activity_at is not None:
        found += [(r, r.until(facts.last_activity_at)) for r in of(RecordClass.CALL_LOG)]
    return found


def assess(
    facts: SubjectFacts, now: datetime, rules: dict[str, RetentionRule] | None = None
) -> RetentionVerdict:
    """Decide whether the subject's data may be erased at ``now``.

    Order of precedence: a legal hold, then a loan still owed, then the longest running
    retention period. With none of them, the data may go.
    """
    if now.utcoffset() is None:
        raise ValueError("retention is assessed at a timezone-aware time")
    if facts.holds:
        return RetentionVerdict(facts.subject, False, LEGAL_HOLD_CODE, *LEGAL_HOLD_TEXT, None)
    if facts.open_loans:
        return RetentionVerdict(facts.subject, False, OPEN_LOAN_CODE, *OPEN_LOAN_TEXT, None)
    running = [(rule, until) for rule, until in applicable_rules(facts, rules) if until > now]
    if running:
        rule, until = max(running, key=lambda pair: pair[1])
        return RetentionVerdict(facts.subject, False, rule.code, rule.text_zh, rule.text_en, until)
    return RetentionVerdict(
        facts.subject,
        True,
        "EXPIRED",
        "法定保存期限已届满，可以删除",
        "no retention period or hold requires the data any longer",
        None,
    )
