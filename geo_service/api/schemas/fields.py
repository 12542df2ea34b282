"""Bounds every request value shares, so that bad input is a 422 naming the field rather than a
database error: no NUL byte in any text, ids within PostgreSQL's `integer`, dates within a range
a crime-prevention record can have."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, Field, field_validator

INT4_MAX = 2**31 - 1
"""The largest PostgreSQL `integer` (ids of places, measures, meetings' rows)."""
BIGINT_ID_MAX = 2**62
"""The largest id taken for a `bigint` id (runs, events, import batches): well inside int8."""
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
"""Dates outside these are no one's record: refused instead of overflowing date arithmetic."""


def no_nul(value: Any) -> Any:
    """Strings (also inside lists) without NUL bytes, which PostgreSQL text cannot store."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(t, str) and "\x00" in t for t in texts):
        raise ValueError("text must not contain NUL bytes")
    return value


def sensible_day(value: date) -> date:
    """A date (or a time's date as written, before any time zone is applied) between
    1900-01-01 and 2100-12-31."""
    day = value.date() if isinstance(value, datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"date must be between {FIRST_DAY} and {LAST_DAY}")
    return value


class RequestBody(BaseModel):
    """A request body: every text field is checked for NUL bytes."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return no_nul(value)


Text = Annotated[str, AfterValidator(no_nul)]
"""A text parameter (a form field, say) without NUL bytes."""
Day = Annotated[date, AfterValidator(sensible_day)]
Moment = Annotated[datetime, AfterValidator(sensible_day)]
Int4Id = Annotated[int, Field(ge=1, le=INT4_MAX)]
PathId = Annotated[int, Path(ge=1, le=INT4_MAX, description="The record's id.")]
BigPathId = Annotated[int, Path(ge=1, le=BIGINT_ID_MAX, description="The record's id.")]
OFFSET = Query(0, ge=0, le=INT4_MAX)
