"""Domain errors: a stable code and a human message, mapped by the API to problem responses."""


class GeoServiceError(Exception):
    """An error the user can act on; `code` is stable, `message` says what was wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class NotFoundError(GeoServiceError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__("not_found", f"{what} {key!r} was not found", status=404)
