"""Population denominators: census totals and cited group estimates, with source and year.

A rate is only as good as its denominator, so every denominator keeps where it came from.
Two kinds of file are imported into ``populations``:

* the tidy table of the Pakistan 2017 census, Table 1 (one row per country, province,
  division and district, with the 2017 and the 1998 population): whole populations,
  ``group_name`` NULL, in persons;
* a hand-compiled table of cited group estimates (Hazara, Shia): claims with a low and a
  high figure, in persons or percent, each with its source, URL and a reliability note.

A disputed estimate keeps its range: ``value_low`` and ``value_high`` are stored as the
source gives them, and ``Denominator.describe()`` shows the range whenever they differ.
``value`` (the store needs one central figure) is the midpoint of the range: it favours
neither end of a dispute, and it is never shown without the range beside it.

Both imports check every row before writing anything, run inside the caller's
transaction, and replace what an earlier import of the same file (or of the same source's
figure for the same place, group and year) stored, so importing twice changes nothing.
"""

from gawahi.geo.populations.census import CENSUS_SOURCE, import_census
from gawahi.geo.populations.estimates import import_estimates
from gawahi.geo.populations.figures import Denominator, PopulationImport, denominators

__all__ = [
    "CENSUS_SOURCE",
    "Denominator",
    "PopulationImport",
    "denominators",
    "import_census",
    "import_estimates",
]
