"""Addresses: normalisation (case, spaces, g./gatan, v./vägen, 12B = 12 b) and matching.

Matching runs in PostGIS for all distinct addresses of a chunk at once: exact on the
normalised street, number and letter first, then pg_trgm similarity above a threshold.
Several equally good candidates make the address ambiguous; they are listed, not guessed.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

FUZZY_THRESHOLD = 0.55
_ABBREVIATIONS = (
    (r"\s+g\.(?=\s|$)", "gatan"),
    (r"\s+v\.(?=\s|$)", "vägen"),
    (r"(\w)g\.(?=\s|$)", r"\1gatan"),
    (r"(\w)v\.(?=\s|$)", r"\1vägen"),
)
_ADDRESS = (
    r"^\s*(?P<street>.*?[^\d\s])\s*(?:(?P<number>\d{1,5})\s*(?P<letter>[a-zåäö])?)?\s*"
    r"(?:,\s*(?P<rest>.*))?$"
)


def normalize_street(street: pd.Series) -> pd.Series:
    """Lower case, single spaces, abbreviations written out: 'Storg.' → 'storgatan'."""
    out = (
        street.astype("string[python]").str.lower().str.strip().str.replace(r"\s+", " ", regex=True)
    )
    for pattern, repl in _ABBREVIATIONS:
        out = out.str.replace(pattern, repl, regex=True)
    return out


def split_address(address: pd.Series) -> pd.DataFrame:
    """Street (normalised), number, letter and town from free address text."""
    parts = (
        address.astype("string[python]").str.strip().str.lower().str.extract(_ADDRESS, expand=True)
    )
    town = parts["rest"].str.replace(r"\d{3}\s?\d{2}", "", regex=True).str.strip().str.lower()
    return pd.DataFrame(
        {
            "street_norm": normalize_street(parts["street"]),
            "number": pd.to_numeric(parts["number"], errors="coerce").astype("Int64"),
            "letter": parts["letter"].str.lower(),
            "town": town.replace("", pd.NA),
        },
        index=address.index,
    )


@dataclass
class AddressMatches:
    """Per input row: point, method, score, and for failures a reason with candidates."""

    x: np.ndarray
    y: np.ndarray
    method: np.ndarray
    score: np.ndarray
    reason: np.ndarray
    message: np.ndarray


_MATCH_SQL = """
WITH q AS (
  SELECT * FROM jsonb_to_recordset(CAST(:q AS jsonb))
    AS q(qid int, street_norm text, number int, letter text, town text)
), exact AS (
  SELECT q.qid, a.street, a.number, a.letter, a.town, ST_X(a.geom) x, ST_Y(a.geom) y,
         1.0::float8 AS score, true AS exact
  FROM q JOIN address a ON a.municipality_code = :mc AND a.street_norm = q.street_norm
   AND a.number IS NOT DISTINCT FROM q.number
   AND coalesce(lower(a.letter), '') = coalesce(q.letter, '')
   AND (q.town IS NULL OR lower(a.town) = q.town)
), fuzzy AS (
  SELECT q.qid, a.street, a.number, a.letter, a.town, ST_X(a.geom) x, ST_Y(a.geom) y,
         similarity(a.street_norm, q.street_norm)::float8 AS score, false AS exact
  FROM q JOIN address a ON a.municipality_code = :mc AND a.street_norm % q.street_norm
   AND (q.number IS NULL OR a.number = q.number)
   AND (q.letter IS NULL OR coalesce(lower(a.letter), '') = q.letter)
  WHERE q.qid NOT IN (SELECT qid FROM exact)
    AND similarity(a.street_norm, q.street_norm) >= :threshold
)
SELECT * FROM exact UNION ALL SELECT * FROM fuzzy
"""


def match_addresses(
    conn: Connection, municipality_code: str, address: pd.Series, town: pd.Series | None = None
) -> AddressMatches:
    """Match every non-empty address; rows without an address get an empty method."""
    n = len(address)
    out = AddressMatches(
        x=np.full(n, np.nan),
        y=np.full(n, np.nan),
        method=np.full(n, "", dtype=object),
        score=np.zeros(n),
        reason=np.full(n, "", dtype=object),
        message=np.full(n, "", dtype=object),
    )
    present = address.fillna("").str.strip() != ""
    if not present.any():
        return out
    parts = split_address(address[present])
    if town is not None:
        given = town[present].astype("string[python]").str.strip().str.lower().replace("", pd.NA)
        parts["town"] = parts["town"].fillna(given)
    keys = parts.drop_duplicates().reset_index(drop=True)
    keys["qid"] = np.arange(len(keys))
    payload = keys.astype(object).where(keys.notna(), None)
    conn.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
        {"t": str(FUZZY_THRESHOLD)},
    )
    found = pd.DataFrame(
        conn.execute(
            text(_MATCH_SQL),
            {
                "q": payload.to_json(orient="records"),
                "mc": municipality_code,
                "threshold": FUZZY_THRESHOLD,
            },
        )
        .mappings()
        .all(),
        columns=["qid", "street", "number", "letter", "town", "x", "y", "score", "exact"],
    )
    resolved = _resolve(keys, found)
    rows = parts.merge(resolved, how="left", on=["street_norm", "number", "letter", "town"])
    idx = np.flatnonzero(present.to_numpy())
    out.x[idx] = rows["x"].to_numpy(float)
    out.y[idx] = rows["y"].to_numpy(float)
    out.method[idx] = rows["method"].fillna("").to_numpy(object)
    out.score[idx] = rows["score"].fillna(0.0).to_numpy(float)
    out.reason[idx] = rows["reason"].fillna("address_not_found").to_numpy(object)
    out.message[idx] = rows["message"].fillna("").to_numpy(object)
    not_found = out.reason == "address_not_found"
    out.message[not_found] = [
        f"Adressen {a!r} finns inte i adressregistret." for a in address.to_numpy()[not_found]
    ]
    return out


def _label(r: pd.Series) -> str:
    number = "" if pd.isna(r["number"]) else f" {int(r['number'])}"
    letter = "" if pd.isna(r["letter"]) or not r["letter"] else str(r["letter"]).upper()
    town = f", {r['town']}" if isinstance(r["town"], str) and r["town"] else ""
    return f"{r['street']}{number}{letter}{town}"


def _resolve(keys: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """One decision per distinct address: a point, or a reason (ambiguous, not found)."""
    decisions = []
    for qid, group in found.groupby("qid", sort=False):  # per distinct address, not per row
        best = group[group["score"] >= group["score"].max() - 1e-9]
        exact = bool(best["exact"].iloc[0])
        distinct = best.drop_duplicates(["street", "number", "letter", "town"])
        key = keys.iloc[int(qid)]
        if len(distinct) == 1 or (pd.isna(key["number"]) and distinct["street"].nunique() == 1):
            decisions.append(
                {
                    "qid": qid,
                    "x": best["x"].mean(),
                    "y": best["y"].mean(),
                    "method": "address_exact" if exact and len(distinct) == 1 else "address_fuzzy",
                    "score": float(best["score"].iloc[0]) * (1.0 if len(distinct) == 1 else 0.5),
                    "reason": "",
                    "message": "",
                }
            )
        else:
            listed = "; ".join(_label(r) for _, r in distinct.head(10).iterrows())
            decisions.append(
                {
                    "qid": qid,
                    "x": np.nan,
                    "y": np.nan,
                    "method": "",
                    "score": 0.0,
                    "reason": "ambiguous_address",
                    "message": f"Adressen passar flera lika bra kandidater: {listed}.",
                }
            )
    table = pd.DataFrame(
        decisions, columns=["qid", "x", "y", "method", "score", "reason", "message"]
    )
    return keys.merge(table, how="left", on="qid").drop(columns="qid")
