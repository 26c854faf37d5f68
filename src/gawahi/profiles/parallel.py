"""Tagging pages in worker processes while the main process reads and writes the store.

Tagging is pure computation on a page of records, so pages go to a pool of processes
(one per core) and come back in order; the store is only ever touched by the main
process and its one transaction. Small runs stay in the process: starting workers
costs more than tagging a few thousand records.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from gawahi.profiles.fields import IncidentInput, record_view
from gawahi.profiles.pack import load_packs
from gawahi.profiles.tagger import Tag, Tagger
from gawahi.profiles.vocabulary import ProfilePacks

PARALLEL_MIN = 20_000  # incidents; below this one process is faster
AHEAD = 2  # pages queued per worker

Work = list[tuple[IncidentInput, frozenset[str]]]


@dataclass
class Pending:
    """One page between reading and writing: what to tag and, later, the tags."""

    examined: int
    work: Work = field(default_factory=list)
    new_state: list[tuple[str, str]] = field(default_factory=list)
    old_state: list[tuple[str, str]] = field(default_factory=list)
    results: list[list[Tag]] = field(default_factory=list)


def default_workers(total: int) -> int:
    return min(os.cpu_count() or 1, 8) if total >= PARALLEL_MIN else 1


def tag_work(tagger: Tagger, work: Work) -> list[list[Tag]]:
    """The tagger's tags for each incident of a page (decisions are applied later)."""
    results = []
    for incident, units in work:
        if isinstance(incident.raw, str):
            incident.raw = orjson.loads(incident.raw)
        results.append(tagger.tag(record_view(incident), units).tags)
    return results


class TagPool:
    """Runs :func:`tag_work` on pages, in order, here or in worker processes."""

    def __init__(self, packs: ProfilePacks, workers: int) -> None:
        self.packs, self.workers = packs, workers
        self.tagger = Tagger(packs)
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> TagPool:
        if self.workers > 1:
            paths = [info.path for info in self.packs.packs]
            self.executor = ProcessPoolExecutor(
                self.workers, mp_context=_context(), initializer=_start, initargs=(paths,)
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)

    def run(self, pages: Iterable[Pending]) -> Iterator[Pending]:
        """Each page with its results, in the order given."""
        if self.executor is None:
            for pending in pages:
                pending.results = tag_work(self.tagger, pending.work)
                yield pending
            return
        queue: list[tuple[Pending, Future[list[list[Tag]]]]] = []
        for pending in pages:
            queue.append((pending, self.executor.submit(_work, pending.work)))
            if len(queue) > self.workers * AHEAD:
                yield _collect(*queue.pop(0))
        for item in queue:
            yield _collect(*item)


def _collect(pending: Pending, future: Future[list[list[Tag]]]) -> Pending:
    pending.results = future.result()
    return pending


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


_TAGGER: Tagger | None = None


def _start(paths: list[Path]) -> None:
    global _TAGGER
    _TAGGER = Tagger(load_packs(paths))


def _work(work: Work) -> list[list[Tag]]:
    assert _TAGGER is not None, "worker started without packs"
    return tag_work(_TAGGER, work)
