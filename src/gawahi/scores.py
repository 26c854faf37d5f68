"""Precision and recall, as every ``gawahi eval`` command reports them."""

from __future__ import annotations


def precision(true_positives: int, false_positives: int) -> float | None:
    """Share of what was found that is right; None when nothing was found."""
    found = true_positives + false_positives
    return true_positives / found if found else None


def recall(true_positives: int, false_negatives: int) -> float | None:
    """Share of what is there that was found; None when nothing is there."""
    labelled = true_positives + false_negatives
    return true_positives / labelled if labelled else None
