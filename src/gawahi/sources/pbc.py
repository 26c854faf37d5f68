"""Pakistan Body Count (Zeeshan-ul-hassan Usmani): suicide attacks and drone strikes.

Both files are Windows-1252 CSVs with free-text dates ("Sunday-November 19-1995",
"Friday, June 18, 2004") and death tolls as a min/max pair. Often only the max is
filled; it is then the single figure the source gives, so best = max, and low = max.
Coordinates are those of the city (suicide attacks: precision "near") or of the agency
(drone strikes: precision "admin2"), never of the site.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from gawahi.incidents.record import Citation, DatePrecision, Incident, LocationPrecision
from gawahi.sources.base import CsvFormat
from gawahi.sources.rows import Row

NULLS = frozenset({"", "NA", "N/A", "na", "n/a", "N.A", "-"})
PUBLISHER = "Zeeshan-ul-hassan Usmani, Pakistan Body Count (pakistanbodycount.org), via Kaggle"
TERMS = "free to use, copy and distribute with citation (author's terms)"
_URLS = re.compile(r"https?://\S+")


class _PbcFormat(CsvFormat):
    nulls = NULLS
    id_field = "s#"
    publisher = PUBLISHER
    licence = TERMS
    url = "https://www.kaggle.com/zusmani"

    def _common(self, row: Row) -> dict[str, Any]:
        span = row.free_date("date")
        return {
            "source": self.name,
            "source_id": row.required("s#") or "",
            "raw": row.raw,
            "date_start": span.start if span else None,
            "date_end": span.end if span else None,
            "date_precision": span.precision if span else DatePrecision.UNKNOWN,
            "date_text": row.text("date"),
            "country_iso3": "PAK",  # the dataset covers Pakistan only
            "country": "Pakistan",
            "latitude": row.decimal("latitude", -90, 90),
            "longitude": row.decimal("longitude", -180, 180),
            "location_precision": LocationPrecision.NEAR,
            "source_location_precision": "city",
        }


class PbcSuicideCsv(_PbcFormat):
    name = "pbc-suicide"
    title = "Pakistan Body Count: Pakistan Suicide Bombing Attacks"
    citation = (
        "Zeeshan-ul-hassan Usmani, Pakistan Body Count, Pakistan Suicide Bombing Attacks "
        "Dataset, Kaggle Dataset Repository, Jan 25, 2017."
    )
    required: ClassVar[frozenset[str]] = frozenset(
        {
            "s#",
            "date",
            "city",
            "province",
            "location",
            "targeted sect if any",
            "killed min",
            "killed max",
        }
    )

    def parse(self, row: Row) -> Incident:
        low, high = row.death_range("killed min", "killed max")
        _, injured_high = row.death_range("injured min", "injured max", strict=False)
        return Incident(
            **self._common(row),
            admin1=row.text("province"),
            place=row.text("city"),
            location_text=row.text("location"),
            description=row.text("location"),
            event_type="suicide attack",
            deaths_best=high,
            deaths_low=low,
            deaths_high=high,
            injured=injured_high,
        )


class PbcDroneCsv(_PbcFormat):
    name = "pbc-drone"
    title = "Pakistan Body Count: Pakistan Drone Attacks"
    citation = (
        "Zeeshan-ul-hassan Usmani, Pakistan Body Count, Pakistan Drone Attacks Dataset, "
        "Kaggle Dataset Repository, 2017."
    )
    required: ClassVar[frozenset[str]] = frozenset(
        {
            "s#",
            "date",
            "location",
            "city",
            "province",
            "civilians min",
            "civilians max",
            "total died min",
            "total died mix",
        }
    )

    def skip_reason(self, values: dict[str, str]) -> str | None:
        # The file ends with a row of column sums: numbers only, no id, date or place.
        described = ("s#", "date", "location", "city", "province")
        if not any(values.get(column, "").strip() for column in described):
            return "totals row (no S# and no date: the column sums), not a strike"
        return None

    def parse(self, row: Row) -> Incident:
        low, high = row.death_range("total died min", "total died mix")
        _, civilians = row.death_range("civilians min", "civilians max", strict=False)
        _, injured = row.death_range("injured min", "injured max", strict=False)
        return Incident(
            **self._common(row)
            | {  # the point is the agency's (279 of 404 strikes share one), not a town's
                "location_precision": LocationPrecision.ADMIN2,
                "source_location_precision": "agency",
            },
            admin1=row.text("province"),
            admin2=row.text("city"),
            place=row.text("location"),
            description=row.text("comments") or row.text("special mention (site)"),
            event_type="drone strike",
            deaths_best=high,
            deaths_low=low,
            deaths_high=high,
            deaths_civilians=civilians,
            injured=injured,
            citations=[
                Citation(url=url.rstrip(";,"))
                for url in _URLS.findall(row.text("references") or "")
            ],
        )
