"""Decoy pairs: what candidate pairs look like when the records are certainly different.

Each source's dates are moved by its own multiple of DECOY_SHIFT days (source 0 by 0,
source 1 by 97 days, source 2 by 194, ...) and blocking runs again. Every candidate pair
it then finds joins records of two sources that really lie at least 97 days apart, so
none is a match; yet they share everything else with real candidates: the same places,
the same sources, the same density of events, the same precision. Their levels are the
u probabilities of the model, per source pair. This replaces the usual random-pairs
estimate, which compares records far apart in time and place and so says little about
the near neighbours that blocking lets through, and it keeps EM from mistaking a
structure of the data (how precise a source's coordinates are) for the match class.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gawahi.linkage.blocking import candidate_pairs
from gawahi.linkage.records import LinkRecords

DECOY_SHIFT = 97  # days: longer than any window, and no multiple is a whole year


def decoy_pairs(records: LinkRecords) -> tuple[LinkRecords, np.ndarray, np.ndarray]:
    """The shifted records and their candidate pairs (all of different sources)."""
    shift = records.source.astype(np.int32) * DECOY_SHIFT
    shifted = replace(records, start=records.start + shift, end=records.end + shift)
    a, b = candidate_pairs(shifted)
    return shifted, a, b
