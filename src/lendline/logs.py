"""Logging for the entry points: one structlog pipeline, and no line leaves it unmasked.

Everything that logs in this process ends up here: LendLine's own structlog loggers, the
standard library's ``logging`` (uvicorn, aiosipua, ...) and loguru, which pipecat and the voice
layer log through. Each line passes :func:`mask_personal_data`, which runs every string of the
event (nested dicts and lists, exception text included) through
:func:`lendline.shared.redaction.redact` with the values registered in
:data:`lendline.shared.sensitive_values.SENSITIVE` (names and answers no pattern can
recognise), and the rendered line is masked once more, so a value hidden in an object's
``repr`` cannot slip through either.

Lines go as JSON to a log file (``data_dir``/logs/lendline.log by default, a file per UTC day
kept for ``keep_days``, six months by default: the retention of network logs) and, when
enabled, readable to stderr. pipecat logs every transcript and every text it speaks at DEBUG;
it is kept at INFO unless configured otherwise.

This is an entry-point concern: the CLI calls :func:`setup_logging` once per process; the
framework-free core never imports it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import logging.handlers
import os
import secrets
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import structlog
from loguru import logger as loguru_logger
from structlog.typing import EventDict, Processor, WrappedLogger

from lendline.shared.redaction import redact
from lendline.shared.sensitive_values import SENSITIVE

if TYPE_CHECKING:
    from loguru import Message, Record

    from lendline.config import LoggingSettings

#: Keys structlog and the standard library fill in; they never carry personal data and the
#: record object must not be walked.
_RESERVED: Final = frozenset({"_record", "_from_structlog", "level", "logger", "timestamp"})

# A per-process key for pseudonyms of caller numbers in log lines: lines of one process can be
# correlated with each other, but a pseudonym cannot be reversed or matched against a list of
# numbers without the key, which is never written anywhere.
_PSEUDONYM_KEY: Final = secrets.token_bytes(32)


def mask_value(value: Any, known: Iterable[str] = ()) -> Any:
    """Return ``value`` with every string in it masked (dicts, lists, tuples, sets walked)."""
    known = tuple(known)
    if isinstance(value, str):
        return redact(value, known)
    if isinstance(value, Mapping):
        return {mask_value(k, known): mask_value(v, known) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(mask_value(item, known) for item in value)
    if isinstance(value, BaseException):
        return redact(f"{type(value).__name__}: {value}", known)
    if isinstance(value, int) and not isinstance(value, bool):
        # An ID or a mobile stored as a number is still personal data.
        text = str(value)
        masked = redact(text, known)
        return value if masked == text else masked
    return value


def mask_personal_data(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Mask (a structlog processor) personal data and codes in every value of the event."""
    known = SENSITIVE.values()
    return {
        key: value if key in _RESERVED else mask_value(value, known)
        for key, value in event_dict.items()
    }


class _MaskedRenderer:
    """Runs a renderer and masks its output once more (values hidden in ``repr`` output)."""

    def __init__(self, renderer: Processor) -> None:
        self._renderer = renderer

    def __call__(self, logger: WrappedLogger, method: str, event_dict: EventDict) -> str:
        rendered = self._renderer(logger, method, event_dict)
        text = rendered if isinstance(rendered, str) else str(rendered)
        return redact(text, SENSITIVE.values())


def pseudonym(value: str) -> str:
    """A keyed, irreversible stand-in for ``value`` (a caller number) in log lines."""
    digest = hmac.new(_PSEUDONYM_KEY, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:16]


def masked_number(value: str) -> str:
    """A phone number as log lines may show it: its last four digits only."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return f"…{digits[-4:]}" if len(digits) > 4 else "…"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the moment (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


_SHARED: Final[list[Processor]] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _formatter(renderer: Processor) -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            # Exceptions become text here so their messages are masked like everything else.
            structlog.processors.format_exc_info,
            mask_personal_data,
            _MaskedRenderer(renderer),
        ],
    )


def _level(name: str) -> int:
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {name!r}")
    return level


class _State:
    """What :func:`setup_logging` installed, so it can be replaced or removed."""

    handlers: list[logging.Handler] = []  # noqa: RUF012 - module state, one instance
    loguru_sink: int | None = None
    file: Path | None = None


def _forward_loguru(message: Message) -> None:
    """Hand a loguru record to the standard library, i.e. to the masked pipeline."""
    record: Record = message.record
    name = record["name"] or "loguru"
    exception = record["exception"]
    exc_info = (
        (exception.type, exception.value, exception.traceback)
        if exception is not None and exception.type is not None
        else None
    )
    std = logging.getLogger(name)
    entry = std.makeRecord(
        name,
        record["level"].no,
        record["file"].path,
        record["line"],
        record["message"],
        (),
        exc_info,  # type: ignore[arg-type]
        func=record["function"],
    )
    # loguru's own filter has applied the levels already; handle() skips the logger's level.
    std.handle(entry)


def setup_logging(settings: LoggingSettings, data_dir: Path) -> Path:
    """Route every logger of the process through the masking pipeline.

    Safe to call again (it replaces what it installed before). Returns the log file's path.
    """
    shutdown_logging()
    level = _level(settings.level)
    pipecat_level = _level(settings.pipecat_level)
    path = settings.file or data_dir / "logs" / "lendline.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Masked or not, a log is nobody else's business: owner-only from the start.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))

    # One file per UTC day, kept for the retention period of network logs and then deleted
    # (the rotated files are named lendline.log.YYYY-MM-DD).
    file_handler = logging.handlers.TimedRotatingFileHandler(
        path, when="midnight", utc=True, backupCount=settings.keep_days, encoding="utf-8"
    )
    file_handler.setFormatter(
        _formatter(structlog.processors.JSONRenderer(ensure_ascii=False, default=repr))
    )
    handlers: list[logging.Handler] = [file_handler]
    if settings.console:
        console = _CurrentStderr()
        console.setLevel(_level(settings.console_level))
        console.setFormatter(_formatter(structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())))
        handlers.append(console)

    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    _State.handlers = handlers
    _State.file = path
    _route_through_root()

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Settings may be applied again (tests, a second command in one process).
        cache_logger_on_first_use=False,
    )

    def loguru_filter(record: Record) -> bool:
        name = record["name"] or ""
        threshold = pipecat_level if name.startswith("pipecat") else level
        return record["level"].no >= threshold

    # loguru's default handler writes to stderr unmasked: it goes, and every loguru record
    # is forwarded instead.
    loguru_logger.remove()
    _State.loguru_sink = loguru_logger.add(
        _forward_loguru, level=0, filter=loguru_filter, format="{message}", catch=True
    )
    return path


def _route_through_root() -> None:
    """Send every library logger through the masked pipeline instead of its own handlers.

    A library that configured logging itself (uvicorn's default configuration gives
    ``uvicorn.error`` and ``uvicorn.access`` their own stderr handlers and stops them
    propagating) would otherwise print around the masking.
    """
    for name in list(logging.root.manager.loggerDict):
        library = logging.root.manager.loggerDict[name]
        if not isinstance(library, logging.Logger) or not library.handlers:
            continue
        for handler in list(library.handlers):
            library.removeHandler(handler)
        library.propagate = True


def active_log_file() -> Path | None:
    """The file :func:`setup_logging` writes to, while it is in force."""
    return _State.file


def shutdown_logging() -> None:
    """Remove what :func:`setup_logging` installed (loguru gets its stderr handler back)."""
    root = logging.getLogger()
    for handler in _State.handlers:
        root.removeHandler(handler)
        handler.close()
    _State.handlers = []
    _State.file = None
    if _State.loguru_sink is not None:
        loguru_logger.remove(_State.loguru_sink)
        _State.loguru_sink = None
        loguru_logger.add(sys.stderr)
    structlog.reset_defaults()


def get_logger(name: str | None = None) -> Any:
    """A structlog logger (masked like every other line once logging is set up)."""
    return structlog.stdlib.get_logger(name)
