"""The composition root: settings in, a wired application out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.engine import Engine

from lendline.adapters.documents.archive import FileContractArchive
from lendline.adapters.keys.ed25519 import load_or_create_signer, verify_ed25519
from lendline.adapters.payment_rail.simulator import SimulatedPaymentRail
from lendline.adapters.sms.outbox import OutboxSmsGateway
from lendline.config import RiskSettings, Settings
from lendline.dialog.flow import Dialog
from lendline.dialog.state import DialogState
from lendline.identity.ports import SmsGateway
from lendline.lending.catalog import load_products
from lendline.lending.limits import RegulatoryLimits
from lendline.lending.lpr import load_lpr_table
from lendline.lending.ports import PaymentRail
from lendline.lending.product import LoanProduct
from lendline.persistence.db import make_engine, upgrade
from lendline.persistence.subject_keys import (
    EngineSealer,
    EngineVault,
    PersonalDataKeys,
    bind_keys,
    configured_keys,
)
from lendline.persistence.tables import customers
from lendline.persistence.uow import SqlUnitOfWork
from lendline.risk.fraud.rules import DEFAULT_RULES, FraudRulesConfig
from lendline.service_layer.audit_trail import AuditTrail
from lendline.service_layer.desk import LoanDesk
from lendline.service_layer.risk_assessment import RiskAssessor
from lendline.shared.clock import Clock, SystemClock, business_day

if TYPE_CHECKING:
    from lendline.service_layer.data_subjects import DataSubjectService
    from lendline.voice.call import SpeechEngines


def _sqlite_parent(url: str) -> None:
    """Create the folder of an SQLite file URL so a fresh checkout just works."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:///:memory:"):
        Path(url[len(prefix) :]).parent.mkdir(parents=True, exist_ok=True)


@dataclass
class App:
    """LendLine wired together for one process.

    Parameters:
        settings: the settings it was built from.
        engine: LendLine's database.
        desk: the loan desk (service layer).
        clock: the time source.
        audit: the audit log's signing, publication and evidence service.
    """

    settings: Settings
    engine: Engine
    desk: LoanDesk
    clock: Clock
    audit: AuditTrail
    speech_engines: SpeechEngines | None = field(default=None, repr=False)

    @property
    def lender_values(self) -> dict[str, str]:
        """Placeholder values the prompts use for the lender."""
        lender = self.settings.lender
        return {
            "lender": lender.name_zh,
            "lender_en": lender.name_en,
            "licence": lender.licence_zh,
            "licence_en": lender.licence_en,
        }

    def close(self) -> None:
        """Release database connections (the app's and the local rail's)."""
        self.engine.dispose()
        close_rail = getattr(self.desk.rail, "close", None)
        if close_rail is not None:
            close_rail()

    def dialog(self, state: DialogState, *, spoken: bool) -> Dialog:
        """Build the script for a session on a voice line (spoken) or in chat."""
        return Dialog(
            self.desk,
            state,
            self.clock,
            spoken=spoken,
            lender=self.lender_values,
            max_retries=self.settings.max_retries,
        )

    def open_call(
        self,
        caller_number: str,
        channel: str = "voice",
        network: Mapping[str, str] | None = None,
    ) -> Dialog:
        """Open (or resume) the caller's session and return its script."""
        state = self.desk.open_session(caller_number, channel, network)
        return self.dialog(state, spoken=channel == "voice")

    def load_customers(self, path: Path) -> int:
        """Load (upsert) the lender's customer registry from CSV."""
        with SqlUnitOfWork(self.engine) as uow:
            count = uow.customers.load_csv(path)
            uow.commit()
            accounts = uow.connection.execute(
                select(customers.c.account_number, customers.c.full_name)
            ).all()
        # The simulated bank holds the registry's accounts, so it can check payees' names
        # (R5); a real bank already knows its account holders.
        open_account = getattr(self.desk.rail, "open_account", None)
        if open_account is not None:
            for number, holder in accounts:
                open_account(number, holder)
        return count

    def load_demo_customers(self) -> int:
        """Load the synthetic demo registry that ships with the package."""
        path = Path(str(files("lendline.data").joinpath("demo_customers.csv")))
        return self.load_customers(path)

    @property
    def speech(self) -> SpeechEngines:
        """The offline speech engines, loaded on first use (models take seconds to load)."""
        if self.speech_engines is None:
            self.speech_engines = self._load_speech()
        return self.speech_engines

    def _load_speech(self) -> SpeechEngines:
        from lendline.voice.call import SpeechEngines
        from lendline.voice.engines.factory import default_stt, default_tts

        speech = self.settings.speech
        return SpeechEngines(
            stt=default_stt(speech.model_cache, speech.asr_threads, speech.asr_workers),
            voices={
                "zh": default_tts(
                    "zh",
                    speech.prompt_cache,
                    zh_voice=speech.zh_voice,
                    zh_style=speech.zh_voice_style,
                    zh_speed=speech.zh_voice_speed,
                    zh_voice_python=speech.zh_voice_python,
                ),
                "en": default_tts("en", speech.prompt_cache),
            },
        )


def _product_and_limits(settings: Settings, clock: Clock) -> tuple[LoanProduct, RegulatoryLimits]:
    """Read the product offered and the limits for the lender type from the lending settings.

    These are the limits of the day the process starts; the desk works them out again for
    each decision's day, so a private lender's cap follows the LPR without a restart.
    """
    lending = settings.lending
    catalog = load_products(lending.products_path)
    code = lending.default_product
    product = catalog.get(code) if code else catalog.default
    terms = product.early_repayment
    if terms.penalty_rate or terms.notice_days or not terms.allowed:
        # The contract text and servicing implement free early repayment at any time only;
        # offering other terms would make both say something the product does not.
        raise ValueError(
            f"product {product.key}: early-repayment penalties, notice periods and bans are "
            "not supported by servicing and the contract yet; offer free early repayment"
        )
    limits = RegulatoryLimits.for_lender(
        lending.lender_type, business_day(clock.now()), load_lpr_table(lending.lpr_table_path)
    )
    return product, limits


def personal_data_keys(settings: Settings) -> PersonalDataKeys:
    """The KEKs and blind-index key from settings, or the local key file under the data dir."""
    keys = settings.keys
    return configured_keys(
        {kid: value.get_secret_value() for kid, value in keys.keks.items()},
        keys.current_kek,
        None if keys.blind_index_key is None else keys.blind_index_key.get_secret_value(),
        keys.key_file or settings.data_dir / "keys" / "personal-data-keys.json",
    )


def fraud_rules(risk: RiskSettings) -> FraudRulesConfig:
    """The fraud rules with the lender's night hours (a changed window is a new version)."""
    if (risk.night_start_hour, risk.night_end_hour) == (
        DEFAULT_RULES.night_start_hour,
        DEFAULT_RULES.night_end_hour,
    ):
        return DEFAULT_RULES
    return replace(
        DEFAULT_RULES,
        night_start_hour=risk.night_start_hour,
        night_end_hour=risk.night_end_hour,
        version=f"{DEFAULT_RULES.version}+night{risk.night_start_hour}-{risk.night_end_hour}",
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    sms: SmsGateway | None = None,
    rail: PaymentRail | None = None,
) -> App:
    """Build the application: migrate the database and wire the ports to their adapters."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _sqlite_parent(settings.database.url)
    _sqlite_parent(settings.payment_rail_url)
    engine = make_engine(settings.database.url)
    upgrade(engine)
    # Every unit of work on this engine seals personal data under these keys.
    bind_keys(engine, personal_data_keys(settings))
    clock = clock or SystemClock()
    product, limits = _product_and_limits(settings, clock)
    settings.sms_outbox.parent.mkdir(parents=True, exist_ok=True)
    desk = LoanDesk(
        engine=engine,
        sms=sms or OutboxSmsGateway(settings.sms_outbox),
        rail=rail or SimulatedPaymentRail(settings.payment_rail_url),
        clock=clock,
        pepper=settings.otp_pepper.get_secret_value().encode(),
        lender_name=settings.lender.name_zh,
        contracts=FileContractArchive(
            settings.contracts_dir or settings.data_dir / "contracts", EngineSealer(engine, clock)
        ),
        product=product,
        limits=limits,
        lender_type=settings.lending.lender_type,
        lpr_table=load_lpr_table(settings.lending.lpr_table_path),
        risk=RiskAssessor(rules=fraud_rules(settings.risk)),
    )
    audit = AuditTrail(
        engine,
        load_or_create_signer(
            settings.audit.signing_key_file or settings.data_dir / "keys" / "audit-head.ed25519"
        ),
        verify_ed25519,
        settings.audit.heads_dir or settings.data_dir / "audit-heads",
        sign_every=settings.audit.sign_every,
        clock=clock,
    )
    return App(settings=settings, engine=engine, desk=desk, clock=clock, audit=audit)


def data_subject_service(app: App) -> DataSubjectService:
    """The data-subject service (requests, holds, retention) over the app's database and clock.

    Erasure shreds keys in the same SQL vault the units of work seal with, and access exports
    read the recordings ``lendline serve`` writes.
    """
    # Imported here: the recording adapter pulls in the voice stack, which the other
    # commands that bootstrap the app have no use for.
    from lendline.adapters.recordings.export import SealedRecordingSource
    from lendline.service_layer.data_subjects import DataSubjectService

    return DataSubjectService(
        app.engine,
        EngineVault(app.engine, app.clock),
        app.clock,
        recordings=SealedRecordingSource(app.settings.telephony.recordings_dir),
    )
