"""Every log line is masked: the processor, and the file the whole pipeline writes.

structlog, the standard library and loguru (pipecat's logger) all end in one JSON-lines file;
no resident ID, mobile, card number, code or registered name reaches it in clear.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path

import pytest
from loguru import logger as loguru_logger

from lendline.config import LoggingSettings
from lendline.logs import (
    get_logger,
    mask_personal_data,
    mask_value,
    masked_number,
    pseudonym,
    setup_logging,
    shutdown_logging,
)
from lendline.shared.sensitive_values import SENSITIVE

ID = "310104199005212307"
MOBILE = "13987654321"
CARD = "6222020200112233446"
SECRETS = (ID, MOBILE, CARD, "482913", "Li Hua", "王小明")


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    SENSITIVE.clear()
    yield
    SENSITIVE.clear()


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = setup_logging(LoggingSettings(console=False), tmp_path)
    yield path
    shutdown_logging()


def _lines(path: Path) -> list[dict[str, object]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _assert_clean(text: str) -> None:
    for value in SECRETS:
        assert value not in text, f"{value!r} leaked: {text}"


def test_processor_masks_ids_mobiles_cards_and_codes() -> None:
    event = {
        "event": f"caller {MOBILE} gave {ID}",
        "card": CARD,
        "sms": "your one-time code is 482913",
        "level": "info",
    }
    masked = mask_personal_data(None, "info", event)
    assert masked == {
        "event": "caller [MOBILE:…4321] gave [ID:…2307]",
        "card": "[CARD:…3446]",
        "sms": "your one-time code is [CODE]",
        "level": "info",
    }


def test_processor_masks_registered_names_in_chinese_and_english() -> None:
    SENSITIVE.remember("s1", "王小明")
    SENSITIVE.remember("s2", "Li Hua")
    masked = mask_personal_data(
        None, "info", {"event": "借款人王小明已签署", "who": "li hua said LI HUA"}
    )
    assert masked["event"] == "借款人[REDACTED]已签署"
    assert masked["who"] == "[REDACTED] said [REDACTED]"
    SENSITIVE.forget("s1")
    assert mask_personal_data(None, "info", {"event": "王小明"})["event"] == "王小明"


def test_processor_walks_nested_values_and_exceptions() -> None:
    event = {
        "event": "state",
        "slots": {"id_number": ID, "answers": [MOBILE, (CARD, 7)], f"key {MOBILE}": 1},
        "as_number": int(MOBILE),
        "count": 3,
        "ok": True,
        "error": ValueError(f"no customer with ID {ID}"),
    }
    masked = mask_personal_data(None, "info", event)
    assert masked["slots"] == {
        "id_number": "[ID:…2307]",
        "answers": ["[MOBILE:…4321]", ("[CARD:…3446]", 7)],
        "key [MOBILE:…4321]": 1,
    }
    assert masked["as_number"] == "[MOBILE:…4321]"
    assert masked["count"] == 3 and masked["ok"] is True
    assert masked["error"] == "ValueError: no customer with ID [ID:…2307]"
    assert mask_value({"a": {"b": [{"c": ID}]}}) == {"a": {"b": [{"c": "[ID:…2307]"}]}}


def test_caller_numbers_appear_only_masked_or_keyed() -> None:
    assert masked_number("+8613987654321") == "…4321"
    assert masked_number("12") == "…"
    key = pseudonym(MOBILE)
    assert key == pseudonym(MOBILE) != pseudonym("13812345678")
    assert MOBILE not in key and len(key) == 16


def test_structlog_lines_reach_the_file_masked_with_exception_text(log_file: Path) -> None:
    SENSITIVE.remember("s1", "Li Hua")
    log = get_logger("lendline.test")
    log.info("call.started", caller=MOBILE, slots={"name": "Li Hua", "id": ID})
    try:
        raise LookupError(f"Li Hua ({ID}) not found, card {CARD}")
    except LookupError:
        log.exception("lookup failed")
    text = log_file.read_text(encoding="utf-8")
    _assert_clean(text)
    started, failed = _lines(log_file)
    assert started["event"] == "call.started" and started["caller"] == "[MOBILE:…4321]"
    assert started["slots"] == {"name": "[REDACTED]", "id": "[ID:…2307]"}
    assert "LookupError: [REDACTED] ([ID:…2307]) not found, card [CARD:…3446]" in str(
        failed["exception"]
    )


def test_a_pipecat_loguru_record_with_an_id_number_arrives_masked(log_file: Path) -> None:
    SENSITIVE.remember("s1", "王小明")
    # What pipecat's TTS service logs at DEBUG, here at INFO (pipecat's default level).
    pipecat = loguru_logger.patch(lambda record: record.update(name="pipecat.services.tts"))
    pipecat.info(f"PiperTTS#0: Generating TTS [王小明，您的身份证号是{ID}，手机{MOBILE}]")
    pipecat.debug(f"Generating TTS [{ID}]")  # below pipecat's level: not written at all
    try:
        raise RuntimeError(f"synthesis failed for {ID}")
    except RuntimeError:
        pipecat.exception("TTS error")
    text = log_file.read_text(encoding="utf-8")
    _assert_clean(text)
    tts, error = _lines(log_file)
    assert tts["logger"] == "pipecat.services.tts" and tts["level"] == "info"
    assert tts["event"] == (
        "PiperTTS#0: Generating TTS [[REDACTED]，您的身份证号是[ID:…2307]，手机[MOBILE:…4321]]"
    )
    assert error["level"] == "error"
    assert "RuntimeError: synthesis failed for [ID:…2307]" in str(error["exception"])


def test_pipecat_debug_lines_are_kept_when_configured_and_still_masked(tmp_path: Path) -> None:
    path = setup_logging(
        LoggingSettings(console=False, pipecat_level="DEBUG", file=tmp_path / "x" / "p.log"),
        tmp_path,
    )
    try:
        pipecat = loguru_logger.patch(lambda record: record.update(name="pipecat.pipeline"))
        pipecat.debug(f"Generating TTS [{ID}]")
        # LendLine's own loguru lines keep LendLine's level (INFO).
        loguru_logger.debug(f"lendline debug {ID}")
        logging.getLogger("uvicorn.error").warning(f"client {MOBILE} went away")
        lines = _lines(path)
    finally:
        shutdown_logging()
    assert [line["event"] for line in lines] == [
        "Generating TTS [[ID:…2307]]",
        "client [MOBILE:…4321] went away",
    ]
    assert path == tmp_path / "x" / "p.log" and path.stat().st_mode & 0o077 == 0


def test_the_console_is_masked_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(LoggingSettings(console=True, console_level="INFO"), tmp_path)
    try:
        SENSITIVE.remember("s1", "Li Hua")
        get_logger("lendline.test").info("hello Li Hua", id=ID)
        loguru_logger.warning(f"your code is 482913, mobile {MOBILE}")
    finally:
        shutdown_logging()
    err = capsys.readouterr().err
    assert "[REDACTED]" in err and "[ID:…2307]" in err and "[CODE]" in err
    _assert_clean(err)


def test_a_library_that_configured_its_own_handlers_is_masked_too(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # uvicorn's default configuration gives its loggers their own stderr handlers and stops
    # them propagating; in a process where that ran first, its lines must still be masked.
    import logging.config

    from uvicorn.config import LOGGING_CONFIG

    logging.config.dictConfig(LOGGING_CONFIG)
    path = setup_logging(LoggingSettings(console=False, file=tmp_path / "u.log"), tmp_path)
    try:
        logging.getLogger("uvicorn.error").warning(f"client {MOBILE} went away")
        lines = _lines(path)
    finally:
        shutdown_logging()
    assert [line["event"] for line in lines] == ["client [MOBILE:…4321] went away"]
    captured = capfd.readouterr()
    assert MOBILE not in captured.err and MOBILE not in captured.out


def test_a_file_per_day_is_kept_for_keep_days_then_deleted(tmp_path: Path) -> None:
    path = setup_logging(LoggingSettings(console=False, keep_days=2), tmp_path)
    try:
        for day in ("2026-05-01", "2026-05-02", "2026-05-03"):
            path.with_name(f"{path.name}.{day}").write_text("{}\n", encoding="utf-8")
        get_logger("test").info("before midnight")
        (handler,) = [
            h
            for h in logging.getLogger().handlers
            if isinstance(h, logging.handlers.TimedRotatingFileHandler)
        ]
        handler.doRollover()  # what the first line after midnight (UTC) does
        get_logger("test").info("after midnight")
    finally:
        shutdown_logging()
    kept = sorted(p.name for p in path.parent.iterdir())
    # Today's file, yesterday's (just rotated) and one more: keep_days rotated files in all.
    rotated = [name for name in kept if name != path.name]
    assert len(rotated) == 2 and f"{path.name}.2026-05-03" in rotated, kept
    assert "after midnight" in path.read_text(encoding="utf-8")
    assert "before midnight" in path.with_name(max(rotated)).read_text(encoding="utf-8")
