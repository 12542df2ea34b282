"""The service's log keeps no personal data: access-log lines and messages are redacted.

SQL parameters never reach the log (the engine hides them) and request bodies are never logged;
what remains that could quote a user's input is the request line of the access log (a path or
query may hold a personnummer) and error messages, which this filter redacts.
"""

import logging

from geo_service.ingest.redact import redact_json, redact_text

REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "geo_service")
"""Loggers whose records are redacted before any handler sees them."""


class RedactingFilter(logging.Filter):
    """Redacts a record's message and arguments (personnummer, phone numbers, e-mails)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_json(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_redaction() -> None:
    """Add the filter to the service's and the server's loggers (once)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
