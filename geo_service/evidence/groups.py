"""Category groups for near repeats: which taxonomy codes count together, and how to name them.

One row per group: the API's `group` value, the taxonomy codes of the default EST categories
it joins, its labels, and the phrase that opens the near-repeat sentence ("efter ett inbrott").
The taxonomy has no separate vehicle theft; `fordon` holds the vehicle reports.
"""

from dataclasses import dataclass
from typing import Literal

from geo_service.errors import GeoServiceError


@dataclass(frozen=True)
class Group:
    code: str
    categories: tuple[str, ...]
    label_sv: str
    label_en: str
    after_sv: str
    after_en: str

    def label(self, lang: str) -> str:
        return self.label_sv if lang == "sv" else self.label_en

    def after(self, lang: str) -> str:
        return self.after_sv if lang == "sv" else self.after_en


GROUPS: tuple[Group, ...] = (
    Group("burglary", ("inbrott",), "Inbrott", "Burglary", "efter ett inbrott", "after a burglary"),
    Group(
        "vehicles",
        ("fordon",),
        "Fordon",
        "Vehicles",
        "efter en fordonshändelse",
        "after a vehicle report",
    ),
    Group(
        "vandalism",
        ("skadegorelse", "klotter"),
        "Skadegörelse och klotter",
        "Vandalism and graffiti",
        "efter skadegörelse eller klotter",
        "after vandalism or graffiti",
    ),
    Group("fires", ("brand",), "Bränder", "Fires", "efter en brand", "after a fire"),
    Group("theft", ("stold",), "Stöld", "Theft", "efter en stöld", "after a theft"),
)
GROUP_BY_CODE = {g.code: g for g in GROUPS}
GroupCode = Literal["burglary", "vehicles", "vandalism", "fires", "theft"]


def get_group(code: str) -> Group:
    """The group named `code`, or an error listing the known ones."""
    if code not in GROUP_BY_CODE:
        raise GeoServiceError(
            "unknown_group", f"Unknown group {code!r}; use one of {', '.join(GROUP_BY_CODE)}."
        )
    return GROUP_BY_CODE[code]
