"""The double-entry ledger: balanced entries only, reversals, balances derived from postings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendline.lending.ledger import (
    SETTLEMENT,
    EntryKind,
    JournalEntry,
    Posting,
    Side,
    UnbalancedEntry,
    balances,
    principal_account,
    reversal_of,
    trial_balance,
)
from lendline.shared.money import Money

AT = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def entry(
    *postings: Posting, kind: EntryKind = EntryKind.REPAYMENT, key: str = "k"
) -> JournalEntry:
    return JournalEntry("e1", kind, "L1", key, AT, postings)


def test_a_balanced_entry_is_accepted_and_reports_its_amounts() -> None:
    made = entry(
        Posting(SETTLEMENT, Side.DEBIT, Money.of("100.00")),
        Posting("interest:L1", Side.CREDIT, Money.of("30.00")),
        Posting(principal_account("L1"), Side.CREDIT, Money.of("70.00")),
    )
    assert made.amount_on(principal_account("L1"), Side.CREDIT) == Money.of("70.00")
    assert made.amount_on(SETTLEMENT, Side.CREDIT) is None


def test_an_entry_whose_debits_and_credits_differ_by_one_fen_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="does not balance"):
        entry(
            Posting(SETTLEMENT, Side.DEBIT, Money.of("100.00")),
            Posting("principal:L1", Side.CREDIT, Money.of("99.99")),
        )


def test_an_entry_balanced_in_total_but_not_per_currency_is_refused() -> None:
    with pytest.raises(UnbalancedEntry):
        entry(
            Posting(SETTLEMENT, Side.DEBIT, Money.of("100.00", "CNY")),
            Posting("principal:L1", Side.CREDIT, Money.of("100.00", "USD")),
        )


def test_an_entry_needs_two_postings() -> None:
    with pytest.raises(UnbalancedEntry, match="two postings"):
        entry(Posting(SETTLEMENT, Side.DEBIT, Money.of(1)))


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001"])
def test_postings_are_positive_whole_fen(amount: str) -> None:
    with pytest.raises(ValueError, match="postings are"):
        Posting(SETTLEMENT, Side.DEBIT, Money.of(amount))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        JournalEntry(
            "e1",
            EntryKind.REPAYMENT,
            "L1",
            "k",
            datetime(2026, 11, 29),
            (
                Posting(SETTLEMENT, Side.DEBIT, Money.of(1)),
                Posting("principal:L1", Side.CREDIT, Money.of(1)),
            ),
        )


def test_a_reversal_undoes_an_entry_and_cannot_itself_be_reversed() -> None:
    original = entry(
        Posting(SETTLEMENT, Side.DEBIT, Money.of("10.00")),
        Posting("principal:L1", Side.CREDIT, Money.of("10.00")),
    )
    undo = reversal_of(original, "e2", "undo", AT)
    assert undo.kind is EntryKind.REVERSAL and undo.reverses == "e1"
    assert all(b.debit_balance.is_zero() for b in balances([original, undo]).values())
    with pytest.raises(ValueError, match="not reversed"):
        reversal_of(undo, "e3", "undo-undo", AT)


def test_only_a_reversal_names_an_entry_it_reverses() -> None:
    with pytest.raises(ValueError, match="reversal"):
        JournalEntry(
            "e1",
            EntryKind.REPAYMENT,
            "L1",
            "k",
            AT,
            (
                Posting(SETTLEMENT, Side.DEBIT, Money.of(1)),
                Posting("principal:L1", Side.CREDIT, Money.of(1)),
            ),
            reverses="e0",
        )


ACCOUNTS = st.sampled_from(
    [SETTLEMENT, "principal:L1", "interest:L1", "fees:L1", "interest_income", "payout_due:L1"]
)


@st.composite
def balanced_entries(draw: st.DrawFn) -> JournalEntry:
    """A random entry: random debits, and credits that split the same total at random."""
    debits = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=4))
    total = sum(debits)
    cuts = (
        sorted(draw(st.lists(st.integers(1, total - 1), max_size=3, unique=True)))
        if total > 1
        else []
    )
    credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    postings = [Posting(draw(ACCOUNTS), Side.DEBIT, Money.from_minor(d)) for d in debits]
    postings += [Posting(draw(ACCOUNTS), Side.CREDIT, Money.from_minor(c)) for c in credits]
    kind = draw(st.sampled_from([k for k in EntryKind if k is not EntryKind.REVERSAL]))
    return JournalEntry(draw(st.uuids()).hex, kind, "L1", "k", AT, tuple(postings))


@settings(max_examples=300, deadline=None)
@given(st.lists(balanced_entries(), max_size=30), st.data())
def test_any_sequence_of_entries_and_reversals_keeps_the_ledger_balanced(
    entries: list[JournalEntry], data: st.DataObject
) -> None:
    reversed_some = list(entries)
    for item in entries:
        if data.draw(st.booleans()):
            reversed_some.append(reversal_of(item, item.entry_id + "r", "r", AT))
    assert trial_balance(reversed_some).is_zero()
    # Reversing everything brings every account back to zero.
    everything = [*entries, *(reversal_of(e, e.entry_id + "r", "r", AT) for e in entries)]
    assert all(b.debit_balance.is_zero() for b in balances(everything).values())
