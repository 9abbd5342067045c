"""Structured logs (one JSON object a line) that never carry secrets or tokens."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_SECRET_KEYS = re.compile(r"pass(word)?|token|secret|authorization|cookie|key", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_TOKEN_PARAM = re.compile(r"(token=)[^&\s\"']+", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(\w+://[^:/@\s]+:)[^@\s]+@")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _TOKEN_PARAM.sub(r"\1[redacted]", text)
    return _URL_PASSWORD.sub(r"\1[redacted]@", text)


def _clean(key: str, value: Any) -> Any:
    if _SECRET_KEYS.search(key):
        return "[redacted]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _clean(str(k), v) for k, v in value.items()}
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = _clean(key, value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return _printable(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={_clean(k, v)}"
            for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_")
        )
        line = f"{record.levelname:<7} {record.name}: {redact(record.getMessage())}"
        if extras:
            line += f" [{extras}]"
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return _printable(line)


def _printable(line: str) -> str:
    """A lone surrogate a client sent must not break the log stream's UTF-8 encoder."""
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def resolve_format(fmt: str, stream: Any = None) -> str:
    """`auto`: text for a human at a terminal, JSON for a collector (a pipe, a file)."""
    if fmt != "auto":
        return fmt
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    handler = logging.StreamHandler(sys.stderr)
    json_lines = resolve_format(fmt, sys.stderr) == "json"
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # ours logs paths without query strings
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
