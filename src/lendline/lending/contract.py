r"""The loan contract: its content as data, the canonical text and the hash a signature binds.

One contract is built once as a ``ContractDocument`` (title, the APR headline, numbered
sections of paragraphs, labelled terms and the schedule table) in one language, Chinese or
English. Every rendering draws from that one structure: ``ContractDocument.text()`` is the
canonical plain text whose SHA-256 the signature binds (NFC, ``\n`` line ends, no trailing
spaces), and the PDF adapter lays out the same blocks, so paper and hash cannot drift apart.

What the contract says follows DOMAIN-NOTES §0 and §1.6: the APR (IRR method) stated first and
most prominently (R6), the overdue terms and the 24 % cap (R7), no fee taken from the principal
(R8), the written contract and its e-signature (R9), the credit-report authorisation with its
purpose (R10), purpose limits (R2), the PIPL notice (R13), the recording and AI-agent notice
(R15) and the 10-year retention (R11).
"""

from __future__ import annotations

import decimal
import hashlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeAlias

from lendline.lending.limits import RegulatoryLimits
from lendline.lending.offer import Offer
from lendline.lending.purpose import PurposeCategory, is_banned
from lendline.lending.schedule import RepaymentMethod
from lendline.lending.servicing import DAYS_IN_BANK_YEAR
from lendline.shared.money import MONEY_CONTEXT, Money, exponent

#: Languages a contract is made in; one language per document.
LANGUAGES: Final = ("zh", "en")

#: Overdue principal carries the contract rate plus this share of it (the call script says so).
OVERDUE_MARKUP: Final = Decimal("0.5")

#: Years the signed contract and its evidence are kept after the relationship ends (R11).
RETENTION_YEARS: Final = 10

#: Years negative credit information stays at the bureau after it ends (R10).
NEGATIVE_CREDIT_YEARS: Final = 5

_TITLES: Final = {"zh": "个人消费借款合同", "en": "Personal Consumer Loan Contract"}

_ZH_NUMERALS: Final = "零一二三四五六七八九"

_PURPOSES: Final[dict[PurposeCategory, tuple[str, str]]] = {
    PurposeCategory.CONSUMER_GOODS: ("购买日常消费品", "buying consumer goods"),
    PurposeCategory.HOME_RENOVATION: ("住房装修", "home renovation"),
    PurposeCategory.EDUCATION: ("教育培训", "education"),
    PurposeCategory.MEDICAL: ("医疗", "medical care"),
    PurposeCategory.TRAVEL: ("旅游", "travel"),
    PurposeCategory.WEDDING: ("婚庆", "a wedding"),
    PurposeCategory.VEHICLE: ("购买自用车辆", "a vehicle for own use"),
    PurposeCategory.BUSINESS_WORKING_CAPITAL: ("个人经营周转", "working capital of own business"),
    PurposeCategory.DEBT_REPAYMENT: ("偿还个人消费欠款", "repaying personal consumer debts"),
    PurposeCategory.RENT_AND_LIVING: ("房租及日常生活开支", "rent and living costs"),
    PurposeCategory.FAMILY_EVENT: ("家庭事务开支", "family matters"),
    PurposeCategory.OTHER: ("其他合法个人消费", "other lawful personal spending"),
}


@dataclass(frozen=True, slots=True)
class ContractParties:
    """Who signs: the lender and the borrower (ID and account masked on the document).

    Parameters:
        lender_name: the lender's legal name.
        borrower_name: the borrower's name.
        borrower_id_masked: resident ID number with the middle digits masked.
        borrower_account_masked: payout and repayment account, last four digits only.
        lender_licence: the lender's licence type, e.g. "消费金融公司牌照" (optional).
        lender_contact: how to reach the lender, e.g. a service number (optional).
    """

    lender_name: str
    borrower_name: str
    borrower_id_masked: str
    borrower_account_masked: str
    lender_licence: str = ""
    lender_contact: str = ""


@dataclass(frozen=True, slots=True)
class Term:
    """A labelled figure or fact of the contract, such as the amount or the lender's name."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ContractTable:
    """A table of the contract (the repayment schedule): header, rows and a totals row.

    Parameters:
        columns: the column headings.
        rows: one tuple of cells per row, as many cells as columns.
        totals: the totals row, or an empty tuple for none.
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        width = len(self.columns)
        if any(len(row) != width for row in self.rows) or len(self.totals) not in (0, width):
            raise ValueError("every row of a contract table has one cell per column")


#: One block of a section: a paragraph, a labelled term or a table.
Block: TypeAlias = str | Term | ContractTable


@dataclass(frozen=True, slots=True)
class ContractSection:
    """A numbered section of the contract: its heading (number included) and its blocks."""

    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ContractDocument:
    """A whole contract in one language, as data every rendering draws from.

    Parameters:
        reference: the application reference, which is also the contract number.
        language: ``"zh"`` or ``"en"``.
        title: the contract's title.
        lender_name: the lender's legal name (for document metadata).
        header: terms printed under the title (contract number, product).
        headline: the APR, said before any other rate and most prominently (R6).
        headline_note: what the APR includes, printed with it.
        notice: the prominent notice of the terms that matter most to the borrower.
        sections: the numbered sections, in order.
    """

    reference: str
    language: str
    title: str
    lender_name: str
    header: tuple[Term, ...]
    headline: Term
    headline_note: str
    notice: str
    sections: tuple[ContractSection, ...]

    def _term(self, term: Term) -> str:
        separator = "：" if self.language == "zh" else ": "
        return f"{term.label}{separator}{term.value}"

    def text(self) -> str:
        """Return the canonical text: the document the signature's SHA-256 is taken over."""
        lines = [self.title, *(self._term(term) for term in self.header), ""]
        lines += [self._term(self.headline), self.headline_note, "", self.notice]
        for section in self.sections:
            lines += ["", section.heading]
            for block in section.blocks:
                if isinstance(block, Term):
                    lines.append(self._term(block))
                elif isinstance(block, ContractTable):
                    rows = (block.columns, *block.rows, *((block.totals,) if block.totals else ()))
                    lines += [" | ".join(row) for row in rows]
                else:
                    lines.append(block)
        return canonical("\n".join(lines))

    def sha256(self) -> str:
        """Return the SHA-256 (hex) of the canonical text."""
        return contract_sha256(self.text())


def canonical(text: str) -> str:
    """Return the canonical form of a document text: NFC, LF line ends, no trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def contract_sha256(text: str) -> str:
    """Return the SHA-256 (hex) of the canonical text."""
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- amounts in words

_CAPITAL_DIGITS: Final = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_UNITS: Final = ("", "拾", "佰", "仟")
_CAPITAL_GROUPS: Final = ("", "万", "亿", "万亿")


def _capital_group(value: int) -> str:
    """Words of 1..9999, one 零 for any run of inner zeros (壹仟零伍)."""
    words = ""
    zero_pending = False
    for position in (3, 2, 1, 0):
        digit = value // 10**position % 10
        if digit == 0:
            zero_pending = bool(words)
            continue
        if zero_pending:
            words += "零"
            zero_pending = False
        words += _CAPITAL_DIGITS[digit] + _CAPITAL_UNITS[position]
    return words


def _capital_integer(value: int) -> str:
    """Words of a whole number of yuan in groups of four digits (万, 亿)."""
    groups: list[int] = []
    while value:
        value, group = divmod(value, 10_000)
        groups.append(group)
    if len(groups) > len(_CAPITAL_GROUPS):
        raise ValueError("amount too large to write in words")
    words = ""
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            continue
        # A gap of zeros before this group (壹拾万零伍) is read as one 零.
        if words and group < 1000:
            words += "零"
        words += _capital_group(group) + _CAPITAL_GROUPS[index]
    return words


def capital_amount(amount: Money) -> str:
    """Write a CNY amount in Chinese capital numerals, as contracts and bank slips do.

    Follows the PBoC rules for writing amounts: 元 then 整 when there is no 角 or 分,
    one 零 for a gap of zeros (壹拾万零伍元), 零 before 分 when there is no 角.

    Args:
        amount: a non-negative amount in CNY, already rounded to the fen.

    Returns:
        E.g. ``"叁万元整"`` for 30,000.00 or ``"壹仟陆佰捌拾元叁角贰分"`` for 1,680.32.

    Raises:
        ValueError: if the amount is negative, not in CNY or too large.
    """
    if amount.currency != "CNY" or amount.amount < 0:
        raise ValueError("capital numerals are written for non-negative CNY amounts")
    yuan, rest = divmod(amount.to_minor(), 100)
    jiao, fen = divmod(rest, 10)
    words = _capital_integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return (words or "零元") + "整"
    if jiao:
        words += _CAPITAL_DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += _CAPITAL_DIGITS[fen] + "分"
    return words


# ---------------------------------------------------------------------- building the document


def _zh_numeral(number: int) -> str:
    """Section numbers as contracts write them: 一 … 十, 十一, 二十一 (1 to 99)."""
    if not 0 < number < 100:
        raise ValueError("section numbers run from 1 to 99")
    tens, units = divmod(number, 10)
    if tens == 0:
        return _ZH_NUMERALS[units]
    return (_ZH_NUMERALS[tens] if tens > 1 else "") + "十" + (_ZH_NUMERALS[units] if units else "")


def _pct(value: Decimal) -> str:
    """A rate as a percentage to four places, formatted as the SMS and the call format it."""
    with decimal.localcontext(MONEY_CONTEXT):
        return f"{value * 100:.4f}%"


def _plain_pct(value: Decimal) -> str:
    """A round rate such as a cap as a plain percentage ("24%")."""
    with decimal.localcontext(MONEY_CONTEXT):
        return f"{(value * 100).normalize():f}%"


def _figure(money: Money) -> str:
    """An amount with thousands separators, no currency (table cells)."""
    return f"{money.amount:,.{exponent(money.currency)}f}"


def build_contract(
    reference: str,
    parties: ContractParties,
    offer: Offer,
    language: str,
    *,
    purpose: PurposeCategory | None = None,
    product_name: str = "",
    limits: RegulatoryLimits | None = None,
) -> ContractDocument:
    """Build the contract for ``offer`` in ``language`` as a document.

    Args:
        reference: the application reference; it is the contract number.
        parties: the lender and the borrower.
        offer: the offer accepted, with its schedule and rates.
        language: ``"zh"`` or ``"en"``; the whole document is in that language.
        purpose: the purpose the borrower stated, written into the contract when given.
        product_name: the product's name in ``language``, printed with its code.
        limits: the regulatory limits in force (the 24 % all-in cap); defaults apply if None.

    Returns:
        The contract document.

    Raises:
        ValueError: for an unsupported language, or a purpose the law bans (R2).
    """
    if language not in LANGUAGES:
        raise ValueError(f"contracts are made in {' or '.join(LANGUAGES)}, not {language!r}")
    if purpose is not None and is_banned(purpose):
        raise ValueError(f"no loan contract may be made for {purpose.value}")
    zh = language == "zh"
    limits = limits or RegulatoryLimits()

    def t(zh_text: str, en_text: str) -> str:
        return zh_text if zh else en_text

    def money(amount: Money) -> str:
        if zh and amount.currency == "CNY":
            return f"人民币{_figure(amount)}元"
        return f"{amount.currency} {_figure(amount)}"

    def heading(number: int, zh_text: str, en_text: str) -> str:
        return f"第{_zh_numeral(number)}条 {zh_text}" if zh else f"{number}. {en_text}"

    amount = offer.amount
    installments = offer.schedule.installments
    apr = _pct(offer.rates.apr)
    with decimal.localcontext(MONEY_CONTEXT):
        monthly_rate = offer.annual_rate / 12
        overdue_rate = min(offer.annual_rate * (1 + OVERDUE_MARKUP), limits.max_apr)
    cap = _plain_pct(limits.max_apr)
    markup = _plain_pct(OVERDUE_MARKUP)
    fees = {item.fee for item in installments}
    account_tail = parties.borrower_account_masked
    product = f"{offer.product_code}@{offer.product_version}"
    if product_name:
        product = t(f"{product_name}（{product}）", f"{product_name} ({product})")
    amount_words = f"（大写：{capital_amount(amount)}）" if zh and amount.currency == "CNY" else ""

    header = (
        Term(t("合同编号", "Contract no."), reference),
        Term(t("借款产品", "Product"), product),
    )
    headline = Term(
        t("年化利率（APR，按IRR计算）", "Annual percentage rate (APR, IRR method)"), apr
    )
    headline_note = t(
        f"该年化利率已包含本合同项下借款人须支付的全部利息和费用，按借款人实际取得的借款本金"
        f"{money(amount)}计算。",
        f"This APR includes all interest and every fee the borrower pays under this contract, "
        f"computed on the principal actually received, {money(amount)}.",
    )
    notice = t(
        "重要提示：请仔细阅读本合同，特别是与借款人有重大利害关系的条款：年化利率与费用、"
        "逾期责任、借款用途限制与提前收回、征信授权、个人信息处理及电子签名。贷款人已在通话中"
        "逐项提示并说明上述条款；借款人有任何疑问，可在签署前要求进一步说明，也可不签署。",
        "Important: read this contract carefully, above all the terms that matter most to the "
        "borrower: the APR and fees, overdue liability, purpose limits and recall, the credit-"
        "report authorisation, personal-information processing and the electronic signature. "
        "The lender pointed out and explained each of them on the call; the borrower may ask for "
        "more explanation before signing, or not sign.",
    )

    lender_terms = [Term(t("贷款人", "Lender"), parties.lender_name)]
    if parties.lender_licence:
        lender_terms.append(Term(t("贷款人资质", "Lender's licence"), parties.lender_licence))
    if parties.lender_contact:
        lender_terms.append(Term(t("贷款人联系方式", "Lender's contact"), parties.lender_contact))
    parties_section = ContractSection(
        heading(1, "合同当事人", "Parties"),
        (
            *lender_terms,
            Term(t("借款人", "Borrower"), parties.borrower_name),
            Term(t("借款人身份证号码", "Borrower's resident ID no."), parties.borrower_id_masked),
            Term(t("借款人本人收款及还款账户", "Borrower's own account"), account_tail),
        ),
    )

    method_words = {
        RepaymentMethod.EQUAL_INSTALLMENT: t(
            "等额本息（每期还款额相同，其中利息逐期减少、本金逐期增加）",
            "equal installments (等额本息): the same payment every month; the interest part "
            "falls and the principal part rises",
        ),
        RepaymentMethod.EQUAL_PRINCIPAL: t(
            "等额本金（每期归还相同本金，利息按剩余本金计算，每期还款额逐期减少）",
            "equal principal (等额本金): the same principal every month plus interest on the "
            "balance, so payments fall",
        ),
    }[offer.method]
    loan_section = ContractSection(
        heading(2, "借款金额、期限与还款方式", "Amount, term and repayment"),
        (
            Term(t("借款金额", "Amount"), money(amount) + amount_words),
            Term(
                t("借款期限", "Term"), t(f"{offer.term_months}个月", f"{offer.term_months} months")
            ),
            Term(t("还款方式", "Repayment method"), method_words),
            Term(
                t("首期还款额", "First installment"),
                money(offer.monthly_payment),
            ),
            t(
                f"放款：本合同签署后，贷款人将借款本金全额发放至借款人本人名下的账户"
                f"（{account_tail}），不预先从本金中扣除任何利息、手续费、管理费、保证金等款项"
                f"（禁止“砍头息”）；借款人实际取得的金额即为借款金额{money(amount)}。",
                f"Payout: once this contract is signed, the lender pays the whole principal into "
                f"the account in the borrower's own name ({account_tail}). No interest, fee, "
                f"deposit or any other amount is deducted from the principal in advance; the "
                f"borrower receives the full amount of {money(amount)}.",
            ),
            t(
                "还款日：第1期还款日为放款日后一个月的对应日，此后为每月对应日；当月无对应日的，"
                "为当月最后一日。每期应还款额以第四条还款计划表为准。借款人所还款项依次冲抵费用、"
                "利息、本金。",
                "Due dates: the first installment falls due one month after the payout, on the "
                "same day of the month, and each later one on that day of each month (the last day "
                "of a shorter month). Each installment is the amount in the schedule in section 4. "
                "Payments are applied to fees first, then interest, then principal.",
            ),
        ),
    )

    if len(fees) == 1 and next(iter(fees)).is_zero():
        fee_lines: tuple[Block, ...] = (
            t(
                "费用：本借款不收取任何服务费、手续费、管理费、担保费或其他费用。",
                "Fees: none. No service, handling, management, guarantee or any other fee is "
                "charged on this loan.",
            ),
        )
    else:
        per_period = (
            money(installments[0].fee)
            if len(fees) == 1
            else t("见还款计划表“费用”列", "see the Fee column of the schedule")
        )
        fee_lines = (
            Term(t("服务费（每期）", "Service fee (each installment)"), per_period),
            t(
                f"服务费随每期还款一并收取，合计{money(offer.total_fees)}，已计入上述年化利率；"
                f"除此之外不收取任何其他费用。",
                f"The service fee is paid with each installment, {money(offer.total_fees)} in "
                f"all, and is included in the APR above; no other fee is charged.",
            ),
        )
    rates_section = ContractSection(
        heading(3, "利率与费用", "Rates and fees"),
        (
            # R6: the APR comes before every other rate, here as in the headline.
            Term(t("年化利率（APR，按IRR计算）", "Annual percentage rate (APR, IRR method)"), apr),
            Term(
                t("实际年利率（按月复利）", "Effective annual rate (monthly compounding)"),
                _pct(offer.rates.effective),
            ),
            Term(
                t("合同年利率（名义利率）", "Contract (nominal) annual interest rate"),
                t(
                    f"{_pct(offer.annual_rate)}（月利率=年利率÷12，即{_pct(monthly_rate)}）",
                    f"{_pct(offer.annual_rate)} (monthly rate = annual ÷ 12 = "
                    f"{_pct(monthly_rate)})",
                ),
            ),
            *fee_lines,
            t(
                "贷款人及其任何合作机构均不得在放款前向借款人收取任何费用。",
                "Neither the lender nor any partner of the lender charges the borrower anything "
                "before the payout.",
            ),
            Term(t("利息合计", "Total interest"), money(offer.total_interest)),
            Term(t("费用合计", "Total fees"), money(offer.total_fees)),
            Term(
                t("还款总额（本金+利息+费用）", "Total repayment (principal + interest + fees)"),
                money(offer.total_repayment),
            ),
        ),
    )

    currency_unit = t("人民币元", "CNY") if amount.currency == "CNY" else amount.currency
    table = ContractTable(
        columns=(
            t("期数", "No."),
            t("应还款额", "Payment"),
            t("本金", "Principal"),
            t("利息", "Interest"),
            t("费用", "Fee"),
            t("剩余本金", "Balance"),
        ),
        rows=tuple(
            (
                str(item.period),
                _figure(item.payment),
                _figure(item.principal),
                _figure(item.interest),
                _figure(item.fee),
                _figure(item.balance_after),
            )
            for item in installments
        ),
        totals=(
            t("合计", "Total"),
            _figure(offer.total_repayment),
            _figure(offer.schedule.total_principal),
            _figure(offer.total_interest),
            _figure(offer.total_fees),
            "",
        ),
    )
    schedule_section = ContractSection(
        heading(4, "还款计划表", "Repayment schedule"),
        (
            t(
                f"共{offer.term_months}期，单位：{currency_unit}。每期利息按该期期初剩余本金×月利率"
                f"计算，四舍五入到分；最后一期归还全部剩余本金。",
                f"{offer.term_months} installments, amounts in {currency_unit}. Each month's "
                f"interest is the balance at the start of the month × the monthly rate, rounded "
                f"half up to the fen; the last installment repays whatever principal is left.",
            ),
            table,
        ),
    )

    overdue_section = ContractSection(
        heading(5, "逾期责任", "Overdue payments"),
        (
            t(
                f"借款人未按期足额还款的，对逾期本金自逾期之日起按日计收罚息，罚息利率为合同年利率"
                f"上浮{markup}，即年利率{_pct(overdue_rate)}"
                f"（日利率=年利率÷{DAYS_IN_BANK_YEAR}），不计收复利。",
                f"If an installment is not paid in full when due, a penalty interest accrues daily "
                f"on the overdue principal from the due date at the contract rate plus "
                f"{markup} of it, that is {_pct(overdue_rate)} a year (daily rate = "
                f"annual ÷ {DAYS_IN_BANK_YEAR}); no compound interest is charged.",
            ),
            t(
                f"上限：利息、罚息及一切费用合计按年计算不超过{cap}；超过部分借款人无须支付，"
                f"已支付的予以退还或冲抵。",
                f"Cap: interest, penalty interest and all fees together never exceed {cap} a year; "
                f"the borrower owes nothing above it, and anything paid above it is refunded or "
                f"credited.",
            ),
            t(
                "逾期信息将依法报送征信系统（见第八条）。催收只联系借款人本人，不联系与债务无关的"
                "第三人，不在22:00至次日8:00之间催收，不使用暴力、威胁、侮辱或骚扰手段。",
                "Overdue records are reported to the credit reference system (see section 8). "
                "Collection contacts only the borrower, never unrelated third parties, never "
                "between 22:00 and 08:00, and never by violence, threats, insults or harassment.",
            ),
        ),
    )

    early_section = ContractSection(
        heading(6, "提前还款", "Early repayment"),
        (
            t(
                f"借款人可随时提前偿还全部剩余借款，不收取违约金、手续费或任何其他费用。利息仅按"
                f"实际使用期间计算：剩余本金×合同年利率÷{DAYS_IN_BANK_YEAR}×自上一还款日"
                f"（或放款日）起的实际天数，四舍五入到分。",
                f"The borrower may repay the whole remaining loan at any time, with no penalty, "
                f"fee or other charge. Interest is due only for the time used: remaining principal "
                f"× contract annual rate ÷ {DAYS_IN_BANK_YEAR} × the days since the last due date "
                f"(or the payout), rounded half up to the fen.",
            ),
        ),
    )

    stated: tuple[Block, ...] = ()
    if purpose is not None:
        zh_purpose, en_purpose = _PURPOSES[purpose]
        stated = (
            Term(
                t("借款人声明的借款用途", "Purpose stated by the borrower"),
                t(zh_purpose, en_purpose),
            ),
        )
    purpose_section = ContractSection(
        heading(7, "借款用途", "Purpose of the loan"),
        (
            *stated,
            t(
                "借款人应按约定用途使用本借款，不得用于购房或偿还住房抵押贷款（含首付款），不得用于股票、"
                "债券、期货、金融衍生品、资产管理产品等投资，不得用于固定资产或股本权益性投资，"
                "不得用于赌博及任何法律法规禁止的用途。",
                "The borrower uses the loan only for the agreed purpose. It may not be used to "
                "buy housing or repay a mortgage (down payments included), for stocks, bonds, "
                "futures, derivatives, asset-management products or other investments, for "
                "fixed-asset or equity investment, for gambling, or for anything unlawful.",
            ),
            t(
                "借款人违反约定用途的，贷款人有权停止发放借款、提前收回部分或全部借款，或解除本合同"
                "（《民法典》第六百七十三条）。",
                "If the loan is used for another purpose, the lender may stop paying out, recall "
                "part or all of the loan before its term, or terminate this contract (Civil Code "
                "Art. 673).",
            ),
        ),
    )

    credit_section = ContractSection(
        heading(8, "征信查询及报送授权", "Credit-report authorisation"),
        (
            t(
                "借款人书面授权贷款人向中国人民银行征信中心及依法设立的个人征信机构查询借款人的"
                "信用报告，查询用途限于：审核本笔借款申请、本合同的贷后管理。",
                "The borrower authorises the lender in writing to obtain the borrower's credit "
                "report from the Credit Reference Center of the People's Bank of China and "
                "licensed personal credit reporting agencies, for these purposes only: assessing "
                "this loan application and managing this loan after payout.",
            ),
            t(
                f"借款人同意贷款人依法向上述机构报送本合同项下的借款及还款信息；逾期等不良信息"
                f"报送前将通知借款人，不良信息自不良行为终止之日起保存{NEGATIVE_CREDIT_YEARS}年。",
                f"The borrower agrees that the lender reports this loan and its repayments to "
                f"those bodies as the law requires. The borrower is told before any negative "
                f"record (such as an overdue payment) is reported; negative records are kept for "
                f"{NEGATIVE_CREDIT_YEARS} years after the matter ends.",
            ),
            t(
                "本授权自签署之日起至本合同项下债务全部清偿之日止有效。",
                "This authorisation runs from signature until everything owed under this "
                "contract is repaid.",
            ),
        ),
    )

    contact = parties.lender_contact
    how = t(
        f"拨打{contact}或本借款热线" if contact else "拨打本借款热线",
        f"call {contact} or this loan line" if contact else "call this loan line",
    )
    pipl_section = ContractSection(
        heading(9, "个人信息处理告知", "Personal information notice (PIPL)"),
        (
            Term(
                t("个人信息处理者", "Controller"),
                f"{parties.lender_name}"
                + (t(f"（{contact}）", f" ({contact})") if contact else ""),
            ),
            Term(
                t("处理目的", "Purposes"),
                t(
                    "身份核验、反欺诈、信用评估与审批、合同订立与履行（放款、还款、贷后管理）、"
                    "征信查询与报送、履行反洗钱等法定义务。",
                    "identity verification, fraud prevention, credit assessment and decision, "
                    "making and performing this contract (payout, repayment, loan management), "
                    "credit reporting, and legal duties such as anti-money-laundering.",
                ),
            ),
            Term(
                t("个人信息种类", "Categories"),
                t(
                    "姓名、身份证号码、手机号码、银行账户、收入信息、通话录音及语音确认记录、"
                    "短信验证码核验记录、征信信息。其中身份证号码、银行账户和征信信息为敏感个人"
                    "信息，已在通话中取得借款人的单独同意。",
                    "name, resident ID number, mobile number, bank account, income, the call "
                    "recording and spoken confirmations, SMS-code checks, and credit information. "
                    "The ID number, bank account and credit information are sensitive personal "
                    "information; the borrower gave separate consent for them on the call.",
                ),
            ),
            Term(
                t("提供与委托", "Recipients"),
                t(
                    "为上述目的向中国人民银行征信中心及依法设立的征信机构报送信用信息；委托短信服务商"
                    "发送短信、支付清算机构划付资金，受托方仅按约定处理。个人信息存储于中华人民共和国"
                    "境内，不向境外提供。",
                    "credit information goes to the PBoC Credit Reference Center and licensed "
                    "credit reporting agencies for the purposes above; SMS and payment providers "
                    "process data on the lender's behalf under contract and only as instructed. "
                    "Personal information is stored in mainland China and not sent abroad.",
                ),
            ),
            Term(
                t("保存期限", "Retention"),
                t(
                    f"自业务关系结束之日起保存{RETENTION_YEARS}年（《反洗钱法》规定的最短期限），"
                    f"期满后删除或匿名化处理。",
                    f"{RETENTION_YEARS} years after the relationship ends (the minimum the "
                    f"Anti-Money Laundering Law requires), then deleted or anonymised.",
                ),
            ),
            Term(
                t("个人权利", "Rights"),
                t(
                    "借款人有权知悉、决定、限制或拒绝对其个人信息的处理，有权查阅、复制、更正、补充、"
                    "删除其个人信息，有权撤回同意，有权要求解释个人信息处理规则；对仅通过自动化决策"
                    "作出的、对其权益有重大影响的决定，有权要求说明并拒绝仅通过自动化决策作出决定。",
                    "to know and decide about the processing, to restrict or refuse it, to access, "
                    "copy, correct, complete and delete the information, to withdraw consent, to "
                    "have the processing rules explained, and, for a decision of major impact made "
                    "by automated means alone, to an explanation and to refuse a decision made "
                    "solely that way.",
                ),
            ),
            Term(
                t("行使方式", "How to exercise them"),
                t(
                    f"{how}并说明“个人信息”事项；贷款人核验身份后及时处理，不予办理的将说明理由。"
                    f"撤回同意不影响撤回前已进行的处理；法律要求保存的信息在保存期内停止除存储和"
                    f"必要安全保护之外的处理。",
                    f"{how} and ask for personal information; the lender handles the request "
                    f"promptly after verifying the caller, and gives reasons for any refusal. "
                    f"Withdrawing consent does not affect processing before it; information the "
                    f"law requires to be kept is only stored and protected until its period ends.",
                ),
            ),
        ),
    )

    call_section = ContractSection(
        heading(10, "智能语音与录音告知", "AI agent and recording notice"),
        (
            t(
                "本借款通过电话办理，与借款人通话的是贷款人的人工智能语音助手，其合成语音已按规定"
                "标识；借款人可随时要求转接人工服务。通话全程录音，录音用于核实身份、证明借款人对"
                "本合同条款的确认和签署，并按第九条的期限保存。",
                "This loan is arranged by telephone with the lender's AI voice agent, whose "
                "synthetic voice is labelled as such; the borrower may ask for a human at any "
                "time. The whole call is recorded, to verify identity and to prove the borrower's "
                "confirmation and signature of this contract, and kept for the period in "
                "section 9.",
            ),
            t(
                "风险提示：贷款人在放款前不收取任何费用，也绝不会要求借款人把验证码告诉任何人。"
                "如有人以贷款人名义索要费用或验证码，请立即挂断并报警。",
                "Fraud warning: the lender never charges anything before the payout and never "
                "asks for the SMS code to be told to anyone. If someone asks for a fee or the "
                "code in the lender's name, hang up and call the police.",
            ),
        ),
    )

    signature_section = ContractSection(
        heading(11, "电子签名与合同生效", "Electronic signature and entry into force"),
        (
            t(
                "本合同以数据电文形式订立。借款人通过以下方式签署本合同：（1）在录音通话中口头确认"
                "同意本合同；（2）输入发送至其本人手机的短信验证码并核验通过；（3）系统记录签署"
                "时间（UTC）及该确认在通话录音中的时间位置。上述记录共同绑定本合同规范文本的"
                "SHA-256摘要，构成借款人的电子签名；仅有口头同意不构成签署。",
                "This contract is made as a data message. The borrower signs it by (1) consenting "
                "to it aloud on the recorded call, (2) entering the one-time code sent by SMS to "
                "the borrower's own phone, which is verified, and (3) the system recording the "
                "time of signature (UTC) and the place of that consent in the call recording. "
                "Together these records are bound to the SHA-256 digest of this contract's "
                "canonical text and form the borrower's electronic signature; a spoken yes alone "
                "is not a signature.",
            ),
            t(
                "规范文本：本合同文本经Unicode NFC规范化、统一以换行符分行并去除行尾空格后计算"
                "SHA-256摘要；纸质或PDF文本页脚所载摘要与签署记录一致的，即为借款人签署的合同。",
                "Canonical text: the digest is taken over this contract's text normalised to "
                "Unicode NFC, with LF line ends and no trailing spaces. A printed or PDF copy "
                "whose footer digest matches the signature record is the contract the borrower "
                "signed.",
            ),
            t(
                "本合同自借款人完成上述电子签名时成立并生效，至本合同项下债务全部清偿时终止。",
                "This contract is made and takes effect when the borrower completes the "
                "electronic signature, and ends when everything owed under it is repaid.",
            ),
        ),
    )

    final_section = ContractSection(
        heading(12, "其他约定", "Other terms"),
        (
            t(
                "因本合同产生的争议，双方应协商解决；协商不成的，任何一方可依法向有管辖权的人民法院"
                "提起诉讼。",
                "Disputes under this contract are settled by negotiation; failing that, either "
                "party may sue in a competent people's court.",
            ),
            t(
                "本合同以中文订立；借款人可要求提供条款相同的英文版本。",
                "This contract is made in English at the borrower's choice and is the text the "
                "borrower signs; a Chinese version with the same terms is available on request.",
            ),
        ),
    )

    return ContractDocument(
        reference=reference,
        language=language,
        title=_TITLES[language],
        lender_name=parties.lender_name,
        header=header,
        headline=headline,
        headline_note=headline_note,
        notice=notice,
        sections=(
            parties_section,
            loan_section,
            rates_section,
            schedule_section,
            overdue_section,
            early_section,
            purpose_section,
            credit_section,
            pipl_section,
            call_section,
            signature_section,
            final_section,
        ),
    )


def render_contract_text(
    reference: str,
    parties: ContractParties,
    offer: Offer,
    language: str,
    *,
    purpose: PurposeCategory | None = None,
    product_name: str = "",
    limits: RegulatoryLimits | None = None,
) -> str:
    """Return the canonical contract text for ``offer`` in ``language`` ("zh" or "en").

    The same as ``build_contract(...).text()``; the arguments are those of ``build_contract``.
    """
    return build_contract(
        reference,
        parties,
        offer,
        language,
        purpose=purpose,
        product_name=product_name,
        limits=limits,
    ).text()
