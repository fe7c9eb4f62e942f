"""The leak scanner finds each value in every form it claims, and not where it only seems to be."""

from __future__ import annotations

from pathlib import Path

from leak_scan import (
    DEMO_REGISTRY,
    Kind,
    Needle,
    codes_sent,
    scan,
    stored_files,
    suite_needles,
    suite_sources,
)
from lendline.adapters.sms.outbox import OutboxSmsGateway
from lendline.identity.phone import MobileNumber

ID = Needle("ID", "310104199005212307", Kind.NUMBER)
ID_X = Needle("ID ending in X", "11010519491231002X", Kind.NUMBER)
MOBILE = Needle("mobile", "13987654321", Kind.NUMBER)
NAME = Needle("name", "Li Hua", Kind.NAME)
NAME_ZH = Needle("name", "王小明", Kind.NAME)
CODE = Needle("code", "123456", Kind.CODE)
ALL = (ID, ID_X, MOBILE, NAME, NAME_ZH, CODE)


def found(blob: bytes) -> set[tuple[str, str]]:
    return {(f.label, f.form) for f in scan({"blob": blob}, ALL)}


def test_numbers_are_found_as_written_with_separators_in_words_and_wide() -> None:
    assert found(b"id=310104199005212307;") == {("ID", "digits, UTF-8")}
    assert found(b"x 310104 1990-0521, 2307 y") == {("ID", "digits, UTF-8")}
    assert found("13987654321".encode("utf-16-le")) == {("mobile", "digits, UTF-16-LE")}
    words = (
        b"three one zero one zero four, one nine nine zero, zero five two one, two three zero seven"
    )
    assert found(words) == {("ID", "read out in English words")}
    assert found("一三九，八七六五，四三二一".encode()) == {
        ("mobile", "read out in Chinese digits")
    }
    assert found("幺三九八七六五四三二幺".encode()) == {("mobile", "read out in Chinese digits")}
    assert found(b"11010519491231002x") == {("ID ending in X", "digits, UTF-8")}


def test_numbers_next_to_each_other_are_each_found() -> None:
    labels = {label for label, _ in found(b"310104199005212307, 13987654321")}
    assert labels == {"ID", "mobile"}


def test_a_mobile_after_the_country_code_is_found() -> None:
    assert found(b"tel:+8613987654321;") == {("mobile", "digits, UTF-8")}
    assert found(b"008613987654321") == {("mobile", "digits, UTF-8")}
    assert found(b"+86 139 8765 4321") == {("mobile", "digits, UTF-8")}


def test_a_value_inside_a_longer_number_is_not_found() -> None:
    assert found(b"1310104199005212307") == set()
    assert found(b"139876543210") == set()


def test_names_in_any_case_and_wide_and_chinese() -> None:
    assert found(b"LI HUA") == {("name", "any case, UTF-8")}
    assert found("Li Hua".encode("utf-16-le")) == {("name", "any case, UTF-16-LE")}
    assert found("借款人王小明".encode()) == {("name", "as written, UTF-8")}


def test_a_code_counts_standing_apart_but_not_as_microseconds_or_inside_a_hash() -> None:
    assert found(b'{"code": "123456"}') == {("code", "digits, UTF-8")}
    assert found(b"your code is 123 456.") == {("code", "digits, UTF-8")}
    assert found(b"2026-11-29 10:37:39.123456") == set()
    assert found(b"9f2ab123456cd0") == set()
    assert found(b"one two three, four five six") == {("code", "read out in English words")}


def test_a_code_equal_to_one_figure_of_a_stored_schedule_is_chance() -> None:
    # A repayment schedule's minor units: six digits among figures, not a code in clear.
    assert found(b"[[11,123455,433602,7840,0,437505],[12,123456,437505,3938,0,0]]") == set()
    assert found("[12,123456,437505]".encode("utf-16-le")) == set()
    # Stored as a value of its own, or at the end of a list, it still counts.
    assert found(b'{"code": 123456, "sent": [1,2]}') == {("code", "digits, UTF-8")}
    assert found(b"[7,123456]") == {("code", "digits, UTF-8")}


def test_the_suite_values_cover_the_registry_and_the_literals_in_the_tests() -> None:
    needles = suite_needles(suite_sources())
    values = {n.value for n in needles}
    registry = DEMO_REGISTRY.read_text(encoding="utf-8")
    for value in ("王小明", "Li Hua", "330106198803151205", "13987654321", "6217000012342468"):
        assert value in registry and value in values
    assert "11010519491231002X" in values  # a literal of the identity tests
    assert "110105194912310021" not in values  # a wrong check digit is not an ID number
    assert {n.kind for n in needles} == {Kind.NAME, Kind.NUMBER}


def test_codes_are_read_from_the_carrier_outbox(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    gateway = OutboxSmsGateway(outbox)
    gateway.send(MobileNumber("13987654321"), "Your LendLine code is 482913. Valid 5 minutes.")
    gateway.send(MobileNumber("13987654321"), "Your loan of 50000 is on its way.")
    assert [n.value for n in codes_sent(outbox)] == ["482913"]


def test_stored_files_are_databases_recordings_contracts_and_logs(tmp_path: Path) -> None:
    for name in (
        "a/lendline.db", "a/lendline.db-wal", "a/payment-rail.db", "a/sms-outbox.jsonl",
        "a/recordings/s1.wav.enc", "a/logs/lendline.log", "a/logs/lendline.log.1",
        "a/contracts/c.pdf.enc", "a/borrower.wav", "a/registry.csv", "b/x.log",
        "b/phone/baresip.log", "b/out/DSR-0a1b/recordings/s-call-1.wav", "b/bank.db",
    ):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert [str(p.relative_to(tmp_path)) for p in stored_files(tmp_path)] == [
        "a/contracts/c.pdf.enc", "a/lendline.db", "a/lendline.db-wal", "a/logs/lendline.log",
        "a/logs/lendline.log.1", "a/recordings/s1.wav.enc", "b/x.log",
    ]  # fmt: skip
