r"""The loan contract's canonical text and the hash a signature binds to.

Issue-level depth: a plain-text contract (Chinese and English) carrying the parties, the
amount, the term, the APR said before any other rate, the full schedule, overdue terms,
purpose limits, credit-report authorisation and the PIPL notice. Its SHA-256 over the
canonical form (NFC, ``\\n`` line ends, no trailing spaces) is what the OTP signature binds.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from lendline.lending.offer import Offer

_TITLES = {"zh": "个人消费借款合同", "en": "Personal Consumer Loan Contract"}


@dataclass(frozen=True, slots=True)
class ContractParties:
    """Who signs: the lender and the borrower (ID masked on the document)."""

    lender_name: str
    borrower_name: str
    borrower_id_masked: str
    borrower_account_masked: str


def _pct(value: object) -> str:
    from decimal import Decimal

    assert isinstance(value, Decimal)
    return f"{value * 100:.4f}%"


def render_contract_text(
    reference: str, parties: ContractParties, offer: Offer, language: str
) -> str:
    """Return the canonical contract text for ``offer`` in ``language`` ("zh" or "en")."""
    zh = language == "zh"
    lines = [
        _TITLES["zh" if zh else "en"],
        f"{'合同编号' if zh else 'Contract no.'}: {reference}",
        f"{'贷款人' if zh else 'Lender'}: {parties.lender_name}",
        f"{'借款人' if zh else 'Borrower'}: {parties.borrower_name} ({parties.borrower_id_masked})",
        f"{'收款账户' if zh else 'Payout account'}: {parties.borrower_account_masked}",
        "",
        # R6: the annualised rate comes first and most prominently.
        f"{'年化利率（IRR）' if zh else 'Annual percentage rate (IRR)'}: {_pct(offer.rates.apr)}",
        f"{'实际年利率（复利）' if zh else 'Effective annual rate'}: {_pct(offer.rates.effective)}",
        f"{'借款金额' if zh else 'Amount'}: {offer.amount}",
        f"{'期限' if zh else 'Term'}: {offer.term_months} {'个月' if zh else 'months'}",
        f"{'还款方式' if zh else 'Repayment'}: {offer.method.value}",
        f"{'合计还款' if zh else 'Total repayment'}: {offer.total_repayment}",
        f"{'利息合计' if zh else 'Total interest'}: {offer.total_interest}",
        f"{'费用' if zh else 'Fees'}: {offer.total_fees}",
        "",
        (
            "期数 | 还款额 | 本金 | 利息 | 剩余本金"
            if zh
            else "No. | Payment | Principal | Interest | Balance"
        ),
    ]
    for item in offer.schedule.installments:
        lines.append(
            f"{item.period} | {item.payment.amount} | {item.principal.amount} | "
            f"{item.interest.amount} | {item.balance_after.amount}"
        )
    lines += [
        "",
        (
            "逾期：按合同利率加收50%罚息，利息、罚息及费用合计不超过年化24%。"
            if zh
            else "Overdue: a penalty of 50% on top of the contract rate; interest, penalties and "
            "fees together never exceed 24% a year."
        ),
        (
            "提前还款：可随时提前还款，仅按实际使用期间计息。"
            if zh
            else "Early repayment: allowed at any time; interest only for the time used."
        ),
        (
            "用途限制：不得用于购房、偿还房贷、证券、期货、理财、股权或固定资产投资"
            "及任何违法用途；违约可提前收回。"
            if zh
            else "Purpose: not for housing, mortgage repayment, securities, futures, "
            "wealth-management, equity or fixed-asset investment, or anything unlawful; "
            "breach allows recall."
        ),
        (
            "征信授权：借款人授权贷款人查询并报送其征信信息，逾期信息将报送征信系统。"
            if zh
            else "Credit reporting: the borrower authorises the lender to query and report credit "
            "information; overdue records are reported."
        ),
        (
            "个人信息：依《个人信息保护法》处理，借款人可查询、复制、更正、删除及撤回同意。"
            if zh
            else "Personal information: processed under the PIPL; the borrower may access, copy, "
            "correct, delete and withdraw consent."
        ),
        "",
        (
            "签署方式：语音确认加短信验证码电子签名。"
            if zh
            else "Signature: recorded verbal consent plus an SMS one-time code."
        ),
    ]
    return canonical("\n".join(lines))


def canonical(text: str) -> str:
    """Return the canonical form of a document text: NFC, LF line ends, no trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def contract_sha256(text: str) -> str:
    """Return the SHA-256 (hex) of the canonical text."""
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()
