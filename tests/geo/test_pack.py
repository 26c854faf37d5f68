"""Unit packs: the bundled PAK pack loads; every kind of mistake names the unit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gawahi.errors import ConfigError
from gawahi.geo.pack import Pack, bundled_packs, load_pack

HEAD = """\
country: TST
name: Testland
as_of: 2023-01-01
designators: [district]
units:
- {id: north, level: 1, kind: province, name: North}
- {id: south, level: 1, kind: province, name: South}
"""


def pack_file(tmp_path: Path, units: str) -> Path:
    path = tmp_path / "TST.yaml"
    path.write_text(HEAD + units, encoding="utf-8")
    return path


def test_bundled_pakistan_pack_loads() -> None:
    (path,) = [p for p in bundled_packs() if p.name == "PAK.yaml"]
    pack = load_pack(path)
    assert isinstance(pack, Pack)
    assert (pack.country, pack.as_of) == ("PAK", date(2023, 1, 1))
    assert pack.unit_id("quetta") == "PAK.quetta"
    assert pack.by_id["quetta"].parents[0].parent == "quetta-division"
    assert pack.by_id["fata"].valid_to == date(2018, 5, 31)
    assert pack.by_id["fata"].merged_into == "khyber-pakhtunkhwa"
    assert pack.by_id["chaman"].split_from == "killa-abdullah"
    assert "agency" in pack.designators
    assert len([u for u in pack.units if u.level == 1]) == 8


def test_a_valid_tiny_pack_with_a_parent_history_loads(tmp_path: Path) -> None:
    pack = load_pack(
        pack_file(
            tmp_path,
            "- id: hill\n  level: 2\n  kind: district\n  name: Hill\n  parents:\n"
            "  - {id: north, to: 2018-05-31}\n  - {id: south, from: 2018-05-31}\n",
        )
    )
    links = pack.by_id["hill"].parents
    assert [(p.parent, p.holds_on(date(2010, 1, 1))) for p in links] == [
        ("north", True),
        ("south", False),
    ]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (
            "- {id: hill, level: 2, kind: district, name: Hill, parnet: north}\n",
            "unit 'hill': unknown key(s) parnet",
        ),
        (
            "- {id: hill, level: 2, kind: district, name: Hill}\n",
            "unit 'hill': a level 2 or 3 unit needs a parent",
        ),
        (
            "- {id: hill, level: 2, kind: district, name: Hill, parent: nowhere}\n",
            "unit 'hill': refers to unknown unit 'nowhere'",
        ),
        (
            "- id: hill\n  level: 2\n  kind: district\n  name: Hill\n  parents:\n"
            "  - {id: north, to: 2018-06-01}\n  - {id: south, from: 2018-05-31}\n",
            "unit 'hill': its parents' time spans overlap",
        ),
        (
            "- {id: hill, level: 2, kind: district, name: Hill, parent: dale}\n"
            "- {id: dale, level: 2, kind: district, name: Dale, parent: hill}\n",
            "unit 'hill': is its own ancestor",
        ),
        (
            "- {id: hill, level: 2, kind: district, name: Hill, parent: north,"
            " from: 31 May 2018}\n",
            "unit 'hill': 'from' must be an ISO date (YYYY-MM-DD), not '31 May 2018'",
        ),
        (
            "- {id: hill, level: 2, kind: district, name: Hill, parent: north}\n"
            "- {id: hill, level: 2, kind: district, name: Hill again, parent: north}\n",
            "unit 'hill': the id is used twice",
        ),
        (
            "- {id: hill, level: 4, kind: village, name: Hill, parent: north}\n",
            "unit 'hill': 'level' must be 1, 2 or 3, not 4",
        ),
        (
            "- {id: north-town, level: 1, kind: city, name: Town, parent: hill}\n"
            "- {id: hill, level: 2, kind: district, name: Hill, parent: north}\n",
            "unit 'north-town': parent 'hill' is at a lower level than the unit",
        ),
    ],
    ids=[
        "unknown-key",
        "missing-parent",
        "unknown-parent",
        "overlapping-spans",
        "cycle",
        "bad-date",
        "duplicate-id",
        "bad-level",
        "parent-below",
    ],
)
def test_a_malformed_pack_names_the_unit(tmp_path: Path, units: str, message: str) -> None:
    path = pack_file(tmp_path, units)
    with pytest.raises(ConfigError) as raised:
        load_pack(path)
    assert str(raised.value) == f"{path}: {message}"


def test_a_pack_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "TST.yaml"
    path.write_text("country: TST\nunits: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_pack(path)


def test_an_impossible_unquoted_date_is_a_config_error(tmp_path: Path) -> None:
    path = pack_file(
        tmp_path,
        "- {id: hill, level: 2, kind: district, name: Hill, parent: north, from: 2018-13-01}\n",
    )
    with pytest.raises(ConfigError, match="hill"):
        load_pack(path)
