"""Warnings a run attaches to its result: a stable code and the message in Swedish and English."""

from __future__ import annotations


def notice(code: str, sv: str, en: str) -> dict[str, str]:
    """One warning as stored with a run and returned by the API."""
    return {"code": code, "message_sv": sv, "message_en": en}


def sv_number(x: float, digits: int = 2) -> str:
    """A number as Swedish text writes it: decimal comma."""
    return f"{x:.{digits}f}".replace(".", ",")
