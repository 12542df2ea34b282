"""Small-count suppression: who is suppressed, which k applies, and what they may not narrow.

The one rule: k = the largest of `GEO_SERVICE_K_SUPPRESSION`, the k that `geo-service db upgrade`
wrote into the one-row table `privacy_k`, and the municipality's own `settings.k_suppression`.
The SQL function `geo_service_k(municipality, floor)` computes it, so the QGIS views, the tile
SQL and every API route read the same number (the API through `geo_service.api.callers`).

Viewers, reporters and anonymous callers are suppressed: they never see a count in 1..k-1, nor
a figure that gives one back, and they may not narrow a query in time or space until a hidden
count shows (`refuse_narrowing`).
"""

from dataclasses import dataclass

from sqlalchemy import text

from geo_service.errors import Forbidden

PUBLIC = "public"
SUPPRESSED_ROLES = ("viewer", "reporter", PUBLIC)
"""Roles that never see counts below k (anonymous callers have the role `public`)."""

K_SETTING = "k_suppression"
"""The key of a municipality's own k in `municipality.settings` (it can only raise k)."""

SUPPRESSED_RESOLUTION = 9
"""The one H3 resolution of event counts (JSON and `events_agg` tiles) for suppressed callers,
as in the QGIS view v_event_counts: counts at two resolutions would give a hidden cell back as
a parent's count minus its visible children."""

WRITE_K = text(
    "INSERT INTO privacy_k (id, k) VALUES (1, :k) ON CONFLICT (id) DO UPDATE SET k = EXCLUDED.k, "
    "updated_at = now()"
)
"""What `geo-service db upgrade` runs with the configured k."""

K_FUNCTION = f"""
CREATE OR REPLACE FUNCTION geo_service_k(mc text DEFAULT NULL, floor integer DEFAULT 1)
RETURNS integer LANGUAGE sql STABLE AS $$
  SELECT GREATEST(
    floor,
    (SELECT k FROM privacy_k WHERE id = 1),
    (SELECT CASE WHEN m.settings->>'{K_SETTING}' ~ '^[0-9]{{1,6}}$'
                 THEN (m.settings->>'{K_SETTING}')::integer END
       FROM municipality m WHERE m.municipality_code = mc)
  )
$$
"""
"""The SQL twin of the rule (created by migration 0008)."""


def hidden_periods_sum(k: str) -> str:
    """SQL: the sum of a run cell's (alias `c`) period counts that are hidden (1..k-1), for the
    k expression `k`. A suppressed caller sees the cell's run total only when this is 0 or at
    least k; otherwise the total minus the periods it can read (`period=`) gives it back."""
    return f"""(SELECT coalesce(sum(hb.value), 0) FROM analysis_bin hb
  WHERE hb.municipality_code = c.municipality_code AND hb.run_id = c.run_id AND hb.cell = c.cell
    AND hb.value > 0 AND hb.value < {k})"""


@dataclass(frozen=True)
class Disclosure:
    """What one caller may see: whether small counts are hidden, and below which k."""

    suppressed: bool
    k: int

    def hides(self, count: float | None) -> bool:
        """True when `count` is a small count this caller must not see (1..k-1)."""
        return self.suppressed and count is not None and 0 < count < self.k

    def count(self, count: int | None) -> int | None:
        """The count, or None when it is hidden."""
        return None if self.hides(count) else count

    def fewer_than(self, lang: str) -> str:
        """The words shown instead of a hidden count: "färre än 3" / "fewer than 3"."""
        return f"färre än {self.k}" if lang == "sv" else f"fewer than {self.k}"


FULL = Disclosure(suppressed=False, k=1)
"""Raw readers (admin, analyst, coordinator): every count."""


def is_suppressed(role: str) -> bool:
    return role in SUPPRESSED_ROLES


def refuse_narrowing(disclosure: Disclosure, **given: object) -> None:
    """Refuse free time and place filters to suppressed callers (403 `parameter_not_allowed`).

    A narrow window or a single comparison place could isolate one event and its time, and the
    difference of two windows could reveal a hidden count; suppressed callers read whole periods
    and the defaults only.
    """
    named = [name for name, value in given.items() if value is not None]
    if disclosure.suppressed and named:
        raise Forbidden(
            "parameter_not_allowed",
            f"{', '.join(sorted(named))}: viewers, reporters and anonymous callers read whole "
            "periods with the default windows; ask an analyst or coordinator for a narrower "
            "query.",
        )


def complementary(counts: dict[str, int], disclosure: Disclosure) -> set[str]:
    """The keys whose counts a suppressed caller must not see among parts of a shown total.

    The small ones (1..k-1), and, when exactly one is small, the next smallest too, so that the
    total minus the visible parts never gives a hidden count back.
    """
    hidden = {key for key, n in counts.items() if disclosure.hides(n)}
    if len(hidden) == 1:
        rest = sorted((n, key) for key, n in counts.items() if key not in hidden and n > 0)
        if rest:
            hidden.add(rest[0][1])
    return hidden
