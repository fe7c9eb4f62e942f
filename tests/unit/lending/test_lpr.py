"""The dated 1-year LPR table behind the private-lending cap (DOMAIN-NOTES §1.4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lendline.lending.lpr import (
    LprNotPublished,
    LprTable,
    LprTableError,
    load_lpr_table,
    parse_lpr_table,
)


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2019, 8, 20), "0.0425"),
        (date(2020, 4, 19), "0.0405"),
        (date(2020, 4, 20), "0.0385"),
        (date(2020, 12, 21), "0.0385"),  # DOMAIN-NOTES: 3.85 % in Dec 2020
        (date(2021, 12, 20), "0.0380"),
        (date(2022, 8, 22), "0.0365"),
        (date(2023, 8, 21), "0.0345"),
        (date(2024, 3, 1), "0.0345"),  # 3.45 % through 2023–24
        (date(2024, 7, 22), "0.0335"),
        (date(2024, 10, 20), "0.0335"),
        (date(2024, 10, 21), "0.0310"),
        (date(2025, 5, 19), "0.0310"),
        (date(2025, 5, 20), "0.0300"),
        (date(2030, 1, 1), "0.0300"),  # after the last change: the last rate
    ],
)
def test_the_packaged_table_gives_the_rate_in_force_on_a_day(day: date, rate: str) -> None:
    assert load_lpr_table().rate_on(day) == Decimal(rate)


def test_the_packaged_table_starts_with_the_lpr_reform_and_is_cached() -> None:
    table = load_lpr_table()
    assert table.first_date == date(2019, 8, 20)
    assert table.last_change == date(2025, 5, 20)
    assert load_lpr_table() is table


def test_there_is_no_lpr_before_the_first_date() -> None:
    with pytest.raises(LprNotPublished, match="2019-08-20"):
        load_lpr_table().rate_on(date(2019, 8, 19))


def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone() -> None:
    with pytest.raises(TypeError, match="calendar day"):
        load_lpr_table().rate_on(datetime(2025, 6, 1, tzinfo=UTC))


def test_a_table_reads_from_a_file_with_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "lpr.csv"
    path.write_text(
        "# a comment\n\neffective_date,rate\n2020-01-01, 0.04\n# another\n2021-01-01,0.035\n",
        "utf-8",
    )
    table = load_lpr_table(path)
    assert table.source == str(path)
    assert table.changes == (
        (date(2020, 1, 1), Decimal("0.04")),
        (date(2021, 1, 1), Decimal("0.035")),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("# only comments\n", "empty"),
        ("day,rate\n2020-01-01,0.04\n", "line 1: header must be effective_date,rate"),
        ("effective_date,rate\n", "at least one rate"),
        ("effective_date,rate\n2020-13-01,0.04\n", "line 2: effective_date"),
        ("effective_date,rate\n2020-01-01,four\n", "line 2: rate 'four'"),
        ("effective_date,rate\n2020-01-01,Infinity\n", "line 2: rate"),
        ("effective_date,rate\n2020-01-01\n", "line 2: expected 2 columns"),
        ("# c\neffective_date,rate\n2020-01-01,3.85\n", "not a fraction"),
        ("effective_date,rate\n2020-01-01,0\n", "not a fraction"),
        ("effective_date,rate\n2021-01-01,0.04\n2020-01-01,0.04\n", "strictly ascending"),
        ("effective_date,rate\n2021-01-01,0.04\n2021-01-01,0.03\n", "strictly ascending"),
    ],
)
def test_malformed_tables_are_refused_naming_the_source_and_line(text: str, message: str) -> None:
    with pytest.raises(LprTableError, match=message) as caught:
        parse_lpr_table(text, "lpr.csv")
    assert str(caught.value).startswith("lpr.csv")


def test_a_table_refuses_dates_with_times() -> None:
    with pytest.raises(LprTableError, match="date and time"):
        LprTable(((datetime(2020, 1, 1, tzinfo=UTC), Decimal("0.04")),))
