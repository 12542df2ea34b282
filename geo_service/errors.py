"""Domain errors: a stable code and a human message, and a class that says what went wrong.

Domain code raises these and never chooses a transport status; the API alone maps each class to
an HTTP status (geo_service.api.problems), and the command line prints the code and message.
"""


class GeoServiceError(Exception):
    """An error the user can act on: the input was invalid. `code` is stable, `message` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple:
        """Pickle by code and message (errors cross process pools whatever their __init__)."""
        return _rebuild, (type(self), self.code, self.message, dict(self.__dict__))


def _rebuild(cls: type[GeoServiceError], code: str, message: str, attrs: dict) -> GeoServiceError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attrs, code=code, message=message)
    return error


class Invalid(GeoServiceError):
    """The input is invalid, and the message says how (the same as the base class, by name)."""


class Unprocessable(GeoServiceError):
    """The request is well formed but names a parameter or value the service does not take."""


class Unauthorized(GeoServiceError):
    """No usable credentials: no token, an unknown or revoked one."""


class Forbidden(GeoServiceError):
    """Credentials that may not do this: another tenant, or a role without the permission."""


class NotFound(GeoServiceError):
    """What was asked for does not exist (in this tenant)."""


class Conflict(GeoServiceError):
    """The request conflicts with what is stored (already exists, not completed, too recent)."""


class TooLarge(GeoServiceError):
    """The input is larger than the configured limit."""


class Unavailable(GeoServiceError):
    """A part the service needs is missing or cannot be reached right now."""


class Busy(Unavailable):
    """The bounded pool for expensive work is full; try again after `retry_after` seconds."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class NotFoundError(NotFound):
    """`<what> <key> was not found`, with the code `not_found`."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__("not_found", f"{what} {key!r} was not found")
