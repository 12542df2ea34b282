"""The service's log keeps no personal data: access-log lines and messages are redacted.

SQL parameters never reach the log (the engine hides them) and request bodies are never logged;
what remains that could quote a user's input is the request line of the access log (a path or
query may hold a personnummer) and error messages, which this filter redacts.
"""

import logging

from geo_service.ingest.redact import redact_text

REDACTED_LOGGERS = ("uvicorn.access", "uvicorn.error", "geo_service", "geo_service.api.problems")
"""Loggers whose records are redacted before any handler sees them (a logger's filter sees only
the records logged on it, not those its children pass up, so each logging module is named)."""


class RedactingFilter(logging.Filter):
    """Redacts a record's message, arguments and traceback (personnummer, phone numbers,
    e-mails): an exception's message may quote a value."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        if record.exc_info and not record.exc_text:
            # formatters print exc_text when it is set, so the redacted traceback is the one shown
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True


def _redacted(arg: object) -> object:
    """A log argument with its text redacted (an exception becomes its redacted message)."""
    if isinstance(arg, str | BaseException):
        return redact_text(str(arg))
    return arg


def install_log_redaction() -> None:
    """Add the filter to the service's and the server's loggers (once)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
