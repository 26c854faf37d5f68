"""Argument checks shared by the statistics: a confidence level, a whole count."""

from __future__ import annotations

from gawahi.errors import ConfigError


def check_level(level: float) -> float:
    """The level as alpha = 1 - level; ConfigError unless 0 < level < 1."""
    if not 0 < level < 1:
        raise ConfigError(f"confidence level must be between 0 and 1, not {level!r}")
    return 1.0 - level


def check_count(value: int, name: str = "count") -> int:
    """A whole number >= 0 (booleans refused), as an int."""
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ConfigError(f"{name} must be a whole number >= 0, not {value!r}")
    return int(value)
