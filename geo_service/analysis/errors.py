"""The analysis package's domain error: a stable code and a message a coordinator can act on."""

from geo_service.errors import GeoServiceError


class AnalysisError(GeoServiceError):
    """Bad input to an analysis (empty selection, too few periods, invalid parameter)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
