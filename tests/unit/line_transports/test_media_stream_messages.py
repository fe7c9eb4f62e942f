"""Reading carriers' media-stream messages: Twilio and Telnyx shapes, and broken ones."""

from __future__ import annotations

import base64
import json

import pytest

from lendline.voice.transports.media_stream import (
    TELNYX,
    TWILIO,
    MediaStreamError,
    decode_payload,
    g711_codec,
    parse_message,
    read_start,
)


def test_twilio_start_gives_ids_caller_and_encoding() -> None:
    message = parse_message(
        json.dumps(
            {
                "event": "start",
                "streamSid": "MZ1",
                "start": {
                    "callSid": "CA1",
                    "customParameters": {"from": "13812345678"},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
                },
            }
        )
    )
    start = read_start(message, TWILIO)
    assert (start.stream_id, start.call_id, start.caller_number, start.encoding) == (
        "MZ1",
        "CA1",
        "13812345678",
        "PCMU",
    )


def test_telnyx_start_in_pcma() -> None:
    start = read_start(
        {
            "event": "start",
            "stream_id": "s1",
            "start": {
                "call_control_id": "v3:x",
                "from": "+8613812345678",
                "media_format": {"encoding": "PCMA"},
            },
        },
        TELNYX,
    )
    assert (start.stream_id, start.call_id, start.caller_number, start.encoding) == (
        "s1",
        "v3:x",
        "+8613812345678",
        "PCMA",
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "not JSON"),
        ("[1]", "not an object"),
        ('{"event": 3}', "not an object"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_broken_messages_are_named(raw: str | bytes, message: str) -> None:
    with pytest.raises(MediaStreamError, match=message):
        parse_message(raw)


def test_a_start_without_ids_or_with_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(MediaStreamError, match="streamSid"):
        read_start({"event": "start", "start": {}}, TWILIO)
    with pytest.raises(MediaStreamError, match="unsupported media encoding"):
        read_start(
            {"event": "start", "streamSid": "x", "start": {"mediaFormat": {"encoding": "L16"}}},
            TWILIO,
        )


def test_media_payloads_round_trip_through_g711_and_bad_base64_is_refused() -> None:
    pcm = (b"\x00\x10\x00\xf0" * 80)[:320]
    for encoding in ("PCMU", "PCMA"):
        payload = base64.b64encode(g711_codec(encoding).encode(pcm)).decode()
        decoded = decode_payload({"media": {"payload": payload}}, encoding)
        assert len(decoded) == 320
    with pytest.raises(MediaStreamError, match="base64"):
        decode_payload({"media": {"payload": "%%%"}}, "PCMU")
    with pytest.raises(MediaStreamError, match="without a payload"):
        decode_payload({"media": {}}, "PCMU")
