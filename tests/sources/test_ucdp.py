"""UCDP GED: HDX country files, plain releases, API pages, revisions and bad rows."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from gawahi.errors import FormatError, ImportRejected
from gawahi.sources.importer import ImportOptions, import_file
from gawahi.store.queries import get_incident
from tests.conftest import DATA, count


def test_hdx_file_skips_the_hxl_row_and_keeps_multiline_articles(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "ucdp_hdx_hxl_tag_row.csv")
    assert (report.format, report.new, report.rejected) == ("ucdp-ged", 2, 0)
    assert report.skipped == [(2, "HXL hashtag row (HDX), not an event")]
    clash = get_incident(engine, "ucdp-ged:900002")
    assert "Fixture Author" in clash["raw"]["source_article"]
    assert clash["source_line"] == 4


def test_normalised_fields_follow_the_codebook(engine: sa.Engine) -> None:
    import_file(engine, DATA / "ucdp_hdx_hxl_tag_row.csv")
    one_sided = get_incident(engine, "ucdp-ged:900001")
    assert (one_sided["date_start"], one_sided["date_precision"]) == (date(2012, 1, 31), "day")
    assert (one_sided["location_precision"], one_sided["country_iso3"]) == ("exact", "PAK")
    assert (one_sided["deaths_best"], one_sided["deaths_low"], one_sided["deaths_high"]) == (
        3,
        3,
        4,
    )
    assert one_sided["violence_type"] == "one-sided"
    assert (one_sided["place"], one_sided["location_text"]) == (
        "Testville town",
        "Testville market (fixture)",
    )
    assert [(a["role"], a["name"]) for a in one_sided["actors"]] == [
        ("perpetrator", "Fixture Group A"),
        ("target", "Civilians"),
    ]
    clash = get_incident(engine, "ucdp-ged:900002")
    assert (clash["date_precision"], clash["date_end"]) == ("days", date(2012, 3, 4))
    assert clash["location_precision"] == "admin2"
    assert [a["role"] for a in clash["actors"]] == ["perpetrator", "perpetrator"]


def test_citations_fall_back_to_the_article_list_when_headlines_hold_semicolons(
    engine: sa.Engine,
) -> None:
    import_file(engine, DATA / "ucdp_hdx_hxl_tag_row.csv")
    cited = get_incident(engine, "ucdp-ged:900002")["citations"]
    assert [(c["publisher"], c["date"], c["headline"]) for c in cited] == [
        ("Fixture Wire", "2012-03-02", "Clashes near Testville"),
        ("Fixture Daily", "2012-03-03", "Toll rises; curfew\n\nAU \t\nFixture Author"),
    ]


def test_plain_release_without_iso3_gets_the_code_from_the_country_name(engine: sa.Engine) -> None:
    import_file(engine, DATA / "ged_release_no_iso3.csv")
    assert get_incident(engine, "ucdp-ged:900001")["country_iso3"] == "PAK"


def test_api_page_gives_the_same_records_as_the_csv(engine: sa.Engine) -> None:
    report = import_file(engine, DATA / "ucdp_api_page.json")
    assert (report.format, report.new) == ("ucdp-api", 2)
    from_api = get_incident(engine, "ucdp-ged:900001")
    assert (from_api["date_start"], from_api["deaths_best"]) == (date(2012, 1, 31), 3)
    assert from_api["latitude"] == pytest.approx(30.1)


def test_new_release_updates_changed_records_and_records_what_changed(engine: sa.Engine) -> None:
    import_file(engine, DATA / "ged_release_no_iso3.csv", ImportOptions(version="22.1"))
    report = import_file(
        engine, DATA / "ged_release_revised_toll.csv", ImportOptions(version="23.1")
    )
    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    revised = get_incident(engine, "ucdp-ged:900001")
    assert revised["deaths_best"] == 5
    changes = revised["changes"][0]["changes"]
    assert changes["deaths_best"] == [3, 5]
    assert changes["raw.best"] == ["3", "5"]
    assert count(engine, "incidents") == 3


def test_bad_rows_reject_the_file_naming_physical_lines(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "ucdp_bad_best_after_multiline.csv")
    problems = [(p.line, p.field, p.value) for p in caught.value.problems]
    assert problems == [
        (10, "best", "many"),
        (11, "latitude", "130.5"),
        (11, "date_end", "2011-01-01 00:00:00.000"),
    ]
    assert caught.value.rejected_rows == 2
    assert count(engine, "incidents") == 0 and count(engine, "datasets") == 0


def test_allow_rejects_keeps_the_good_rows_and_stores_the_problems(engine: sa.Engine) -> None:
    options = ImportOptions(allow_rejects=True)
    report = import_file(engine, DATA / "ucdp_bad_best_after_multiline.csv", options)
    assert (report.new, report.rejected) == (1, 2)
    assert count(engine, "import_problems", "WHERE kind = 'rejected'") == 3


def test_duplicate_ids_in_one_file_are_rejected(engine: sa.Engine) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, DATA / "ucdp_duplicate_id.csv")
    assert caught.value.problems[0].describe() == (
        "line 3, field 'id', value '900001': the same id as line 2; ids must be unique in a file"
    )


def test_progress_is_reported_in_bytes_up_to_the_file_size(sqlite_engine: sa.Engine) -> None:
    seen: list[tuple[int, int]] = []
    path = DATA / "ucdp_hdx_hxl_tag_row.csv"
    import_file(sqlite_engine, path, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_api_pages_as_json_lines_stream_page_by_page(engine: sa.Engine, tmp_path: Path) -> None:
    page = json.loads((DATA / "ucdp_api_page.json").read_text())
    first, second = dict(page, Result=page["Result"][:1]), dict(page, Result=page["Result"][1:])
    lines = tmp_path / "pages.jsonl"
    lines.write_text(json.dumps(first) + "\n\n" + json.dumps(second) + "\n")
    report = import_file(engine, lines, ImportOptions(format="ucdp-api"))
    assert report.new == 2
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(first) + "\n{not json\n")
    with pytest.raises(FormatError, match=r"broken\.jsonl, line 2: not JSON"):
        import_file(engine, broken, ImportOptions(format="ucdp-api"))


def test_values_the_store_cannot_hold_reject_the_row(engine: sa.Engine, tmp_path: Path) -> None:
    text = (DATA / "ucdp_hdx_hxl_tag_row.csv").read_text(encoding="utf-8")
    bad = tmp_path / "bad_iso3_long_id.csv"
    bad.write_text(text.replace(",PAK,", ",Pakistan,", 1).replace("900002,", "9" * 81 + ",", 1))
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, bad)
    assert [(p.line, p.field, p.reason) for p in caught.value.problems] == [
        (3, "country_iso3", "not an ISO 3166 alpha-3 code"),
        (4, "source_id", "longer than 80 characters"),
    ]


def test_postgresql_limits_are_row_problems_on_every_backend(
    engine: sa.Engine, tmp_path: Path
) -> None:
    text = (DATA / "ucdp_hdx_hxl_tag_row.csv").read_text(encoding="utf-8")
    bad = tmp_path / "too_big.csv"
    bad.write_text(
        text.replace(",3,4,3,", ",3000000000,4,3,", 1).replace("Testville town", "Test\x00ville", 1)
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, bad)
    assert sorted((p.line, p.field, p.reason) for p in caught.value.problems) == [
        (3, "deaths_best", "too large to store (above 2,147,483,647)"),
        (3, "place", "contains a NUL character"),
    ]
    assert count(engine, "incidents") == 0


def test_a_compact_json_list_of_pages(engine: sa.Engine, tmp_path: Path) -> None:
    page = json.loads((DATA / "ucdp_api_page.json").read_text())
    compact = tmp_path / "pages.json"
    compact.write_text(json.dumps([page]))
    assert import_file(engine, compact).new == 2


def test_only_an_all_hashtag_row_is_skipped(engine: sa.Engine, tmp_path: Path) -> None:
    text = (DATA / "ucdp_hdx_hxl_tag_row.csv").read_text(encoding="utf-8")
    tagged = tmp_path / "headline_hashtag.csv"
    tagged.write_text(
        text.replace("Fixture headline one", "#Fixture: blast kills 3", 2).replace(
            "\n900001,", "\n,", 1
        )
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(engine, tagged)
    assert [(p.line, p.field) for p in caught.value.problems] == [(3, "id")]
