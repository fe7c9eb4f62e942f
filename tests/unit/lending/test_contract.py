from __future__ import annotations

import pytest

from lendline.lending.contract import (
    ContractParties,
    canonical,
    contract_sha256,
    render_contract_text,
)
from lendline.lending.offer import make_offer
from lendline.lending.product import DEFAULT_PRODUCT
from lendline.shared.money import Money

PARTIES = ContractParties("示范消费金融", "王小明", "330106********1205", "****5678")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_contract_states_the_apr_before_the_schedule_and_lists_every_installment(
    language: str,
) -> None:
    offer = make_offer(DEFAULT_PRODUCT, Money.of(50_000), 12)
    text = render_contract_text("LL-20261128-ABCDE", PARTIES, offer, language)
    apr_line = next(line for line in text.splitlines() if "IRR" in line)
    assert f"{offer.rates.apr * 100:.4f}%" in apr_line
    assert text.index(apr_line) < text.index(str(offer.amount))
    rows = [line for line in text.splitlines() if line.count("|") == 4 and line[0].isdigit()]
    assert [int(row.split("|")[0]) for row in rows] == list(range(1, 13))


def test_the_hash_binds_the_exact_text_and_ignores_only_canonical_noise() -> None:
    offer = make_offer(DEFAULT_PRODUCT, Money.of(50_000), 12)
    text = render_contract_text("LL-20261128-ABCDE", PARTIES, offer, "zh")
    digest = contract_sha256(text)
    assert contract_sha256(text.replace("\n", "\r\n")) == digest
    assert contract_sha256(text + "   \n") == digest
    other = make_offer(DEFAULT_PRODUCT, Money.of(50_100), 12)
    assert (
        contract_sha256(render_contract_text("LL-20261128-ABCDE", PARTIES, other, "zh")) != digest
    )
    assert canonical(text) == text
