"""Operations: logs keep no secrets; compose.yaml speaks the settings' language."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from server.logging import JsonFormatter, redact
from server.settings import SETTINGS_DOC

ROOT = Path(__file__).resolve().parents[2]


def test_logs_redact_tokens_passwords_and_credentials() -> None:
    record = logging.LogRecord(
        "guichet",
        logging.INFO,
        __file__,
        1,
        "GET /t/cnaps/confirm-email?token=abc123 Authorization: Bearer eyJhbGciOi.x.y",
        (),
        None,
    )
    record.password = "Secret-Phrase-1"
    record.smtp = "smtp://user:hunter2@mail.example:587"
    line = json.loads(JsonFormatter().format(record))
    text = json.dumps(line)
    for secret in ("abc123", "eyJhbGciOi", "Secret-Phrase-1", "hunter2"):
        assert secret not in text
    assert line["password"] == "[redacted]"
    assert redact("token=abc&x=1") == "token=[redacted]&x=1"


def test_compose_uses_only_known_settings() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\b(GUICHET_[A-Z_]+):", compose))
    known = {setting.variable for setting in SETTINGS_DOC}
    assert used and used <= known, used - known
    assert {"GUICHET_DATABASE_URL", "GUICHET_SMTP_URL", "GUICHET_ENV", "GUICHET_PUBLIC_URL"} <= used
