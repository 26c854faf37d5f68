"""Findings: plain, cautious sentences drawn from the figures, each naming its sources,
with the limits of the data stated where they apply. No sentence says an area is safe:
where no incident was recorded, the finding says that the absence of records is not
evidence of the absence of attacks."""

from __future__ import annotations

from typing import Any

from gawahi.profiles.vocabulary import ProfilePacks

UCDP_LIMIT = (
    "UCDP GED records one-sided violence only for actors that killed at least 25 civilians "
    "in a calendar year, so smaller campaigns are missing from it."
)
HEADLINE_LIMIT = (
    "UCDP GED gives source headlines only from 2013; before that, victim groups are known "
    "from coded fields and other sources, and are under-counted."
)
ABSENCE = "The absence of recorded incidents is not evidence that no attacks took place."


def findings(assessment: Any, packs: ProfilePacks) -> list[dict[str, Any]]:
    """One finding per statement: ``text``, the figure ``keys`` and ``sources`` behind it."""
    spec = assessment.spec
    who = profile_phrase([packs.label(t) for t in spec.profile])
    period = f"{spec.start.year}–{spec.end.year}"
    found: list[dict[str, Any]] = []
    for area in assessment.areas:
        found += _area_findings(assessment, packs, area["name"], area["label"], who, period)
    found = [_with_sources(f, assessment) for f in found]
    return found + _limits(assessment, spec)


def _area_findings(
    assessment: Any, packs: ProfilePacks, name: str, label: str, who: str, period: str
) -> list[dict[str, Any]]:
    count = assessment.figure(f"{name}/profile.incidents")
    deaths = assessment.figure(f"{name}/profile.deaths")
    out = []
    if count.value:
        text = (
            f"In {label}, the sources record {_n(count.value, 'incident')} in {period} "
            f"with victims identified as {who}, with {_n(deaths.value, 'death')}"
            f"{_range(deaths)}."
        )
        out.append(_finding(text, [count.key, deaths.key]))
        out += _factors(assessment, packs, name)
        out += _share(assessment, name)
        out += _trend(assessment, name)
    else:
        text = (
            f"In {label}, the sources record no incident in {period} with victims identified "
            f"as {who}. {ABSENCE}"
        )
        out.append(_finding(text, [count.key]))
    out += _reach(assessment, packs, name, label, period)
    out += _route(assessment, name, label, period)
    out += _rate(assessment, name, label)
    if count.value:
        out += _underreporting(assessment, name, label)
    return out


def profile_phrase(labels: list[str]) -> str:
    """The profile in words: an incident counts when its victims carry every one of its
    tags, so "both Shia Muslims and Hazara", never a list that reads as "either"."""
    if len(labels) <= 1:
        return "".join(labels)
    listed = f"{', '.join(labels[:-1])} and {labels[-1]}"
    return f"both {listed}" if len(labels) == 2 else f"all of {listed}"


def _range(deaths: Any) -> str:
    """The sources' range of deaths, where they differ."""
    if deaths.low is None or deaths.low == deaths.high:
        return ""
    return f" (range {deaths.low:,}–{deaths.high:,})"


def _factors(assessment: Any, packs: ProfilePacks, name: str) -> list[dict[str, Any]]:
    factors = assessment.spec.factors
    if not factors:
        return []
    count = assessment.figure(f"{name} ({' + '.join(factors)})/profile.incidents")
    who = profile_phrase([packs.label(t) for t in factors])
    text = f"Of these, {_n(count.value, 'incident')} also had victims identified as {who}."
    if not count.value:
        text += f" {ABSENCE}"
    return [_finding(text, [count.key])]


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _share(assessment: Any, name: str) -> list[dict[str, Any]]:
    share = assessment.figure(f"{name}/general.share")
    if share.value is None:
        return []
    d = share.detail
    text = (
        f"They were {d['profile']} of the {_n(d['civilian'], 'incident')} recorded there that "
        f"targeted civilians or the profile ({share.value:.1%}, "
        f"95% CI {share.low:.1%}–{share.high:.1%})."
    )
    return [_finding(text, [share.key, f"{name}/general.incidents"])]


def _trend(assessment: Any, name: str) -> list[dict[str, Any]]:
    slope = assessment.figure(f"{name}/trend.slope")
    last = assessment.figure(f"{name}/last.incident")
    out = []
    if slope.value is not None:
        direction = (
            "fell" if slope.high < 1 else "rose" if slope.low > 1 else "showed no clear trend"
        )
        text = (
            f"Year on year the number {direction} (rate ratio {slope.value:.2f} per year, "
            f"95% CI {slope.low:.2f}–{slope.high:.2f}, {slope.detail['model']} regression)."
        )
        out.append(_finding(text, [slope.key]))
    if last.value is not None:
        text = (
            f"The last such incident on record was on {last.detail['date']}, "
            f"{last.value:,} days before the end of the period."
        )
        out.append(_finding(text, [last.key]))
    return out


def _reach(
    assessment: Any, packs: ProfilePacks, name: str, label: str, period: str
) -> list[dict[str, Any]]:
    out = []
    for tag in assessment.perpetrators:
        here = assessment.figure(f"{name}/reach.incidents:{tag}")
        near = assessment.figure(f"{name}/reach.nearest:{tag}")
        perpetrator = packs.label(tag)
        if here.value:
            text = (
                f"{_n(here.value, 'incident').capitalize()} attributed to {perpetrator} "
                f"{'was' if here.value == 1 else 'were'} recorded in {label} in {period}, "
                "whoever the victims."
            )
        elif near.value is not None:
            text = (
                f"No incident attributed to {perpetrator} was recorded in {label} in "
                f"{period}; its nearest recorded attack was {near.value} km from the "
                f"area's centre ({near.detail['date']}). {ABSENCE}"
            )
        else:
            text = (
                f"No incident attributed to {perpetrator} was recorded anywhere "
                f"in the country in {period}. {ABSENCE}"
            )
        out.append(_finding(text, [here.key, near.key]))
    return out


def _route(assessment: Any, name: str, label: str, period: str) -> list[dict[str, Any]]:
    corridor = assessment.figure(f"{name}/route.corridor")
    port = assessment.figure(f"{name}/route.airport")
    d = corridor.detail
    text = (
        f"Between {d['name']} ({d['airport']}) and {label}, {_n(corridor.value, 'incident')} "
        f"of any kind {'was' if corridor.value == 1 else 'were'} recorded in {period} within "
        f"{d['width_km']:g} km of the straight line ({d['civilian']} targeting civilians), "
        f"{port.value} of them within {port.detail['radius_km']:g} km of the airport. "
        "No road network is used: the line stands for the journey."
    )
    if not corridor.value:
        text += f" {ABSENCE}"
    return [_finding(text, [corridor.key, port.key])]


def _rate(assessment: Any, name: str, label: str) -> list[dict[str, Any]]:
    rate = assessment.figure(f"{name}/rate.per_100k")
    if rate.value is None:
        return []
    d = rate.detail
    text = (
        f"Against a population of {d['population']:,.0f} ({d['group']}, {d['source']}, "
        f"{d['population_year']}), that is {rate.value:.1f} deaths per 100,000 per year "
        f"(95% CI {rate.low:.1f}–{rate.high:.1f}, allowing for deaths that come several "
        "to an attack)."
    )
    if d["disputed"]:
        text += (
            f" The population is disputed: with the other published figures the rate runs from "
            f"{d['rate_if_largest_population']:.1f} to {d['rate_if_smallest_population']:.1f}."
        )
    return [_finding(text, [rate.key])]


def _underreporting(assessment: Any, name: str, label: str) -> list[dict[str, Any]]:
    est = assessment.figure(f"{name}/underreporting.estimate")
    d = est.detail
    if est.value is None:
        text = f"Under-reporting in {label} could not be estimated: {d['reason']}."
        return [_finding(text + _left_out(d), [est.key])]
    window = " to ".join(d["window"])
    text = (
        f"Capture-recapture over {', '.join(d['lists'])} ({window}) estimates {est.value:.0f} "
        f"such incidents (95% CI {est.low:.0f}–{est.high:.0f}) where {d.get('observed')} were "
        f"recorded ({d['method']}); {_caveat(d)}"
    )
    return [_finding(text + _left_out(d), [est.key])]


def _caveat(detail: dict[str, Any]) -> str:
    if len(detail["lists"]) == 2:
        return (
            "it assumes the two sources record incidents independently; sources that "
            "share the same media reports miss the same incidents, so read it as a lower bound."
        )
    return (
        f"the chosen model ({detail.get('model')}) allows for the dependence between sources "
        "that it includes and no other; incidents hard for every source to see make it a "
        "lower bound."
    )


def _left_out(detail: dict[str, Any]) -> str:
    """The incidents only sources of narrow scope recorded, which no estimate covers."""
    alone = detail.get("only_left_out")
    if not alone:
        return ""
    names = "; ".join(f"{s}: {why}" for s, why in detail["left_out"].items())
    return (
        f" {_n(alone, 'incident')} recorded only by sources of narrow scope ({names}) "
        f"{'is' if alone == 1 else 'are'} outside the lists and "
        f"{'adds' if alone == 1 else 'add'} to the count."
    )


def _limits(assessment: Any, spec: Any) -> list[dict[str, Any]]:
    names = " ".join(
        str(d.get("name", "")) + " " + str(d.get("file_name", "")) for d in assessment.datasets
    ).lower()
    out = _coverage(assessment, spec)
    if not assessment.perpetrators:
        text = (
            "No perpetrator is named in the records of the profile's incidents in the home "
            "area, so no perpetrator's reach is shown; name them with --perpetrators."
        )
        out.append(_finding(text, [], kind="limit"))
    if "ucdp" in names or "ged" in names:
        out.append(_finding(UCDP_LIMIT, [], kind="limit"))
        if spec.start.year < 2013:
            out.append(_finding(HEADLINE_LIMIT, [], kind="limit"))
    return out


def _coverage(assessment: Any, spec: Any) -> list[dict[str, Any]]:
    """Sources whose records do not span the period: their silence there is no count."""
    out = []
    for source, (first, last) in sorted(getattr(assessment, "coverage", {}).items()):
        if first > spec.start.isoformat() or last < spec.end.isoformat():
            text = (
                f"{source} holds records from {first} to {last} only; outside those dates the "
                "figures count only what other sources recorded, if any covers them."
            )
            out.append(_finding(text, [], kind="limit"))
    return out


def _finding(text: str, keys: list[str], kind: str = "finding") -> dict[str, Any]:
    return {"kind": kind, "text": text, "figures": keys}


def _with_sources(found: dict[str, Any], assessment: Any) -> dict[str, Any]:
    """Name the sources of the finding's incidents after its text."""
    named = sorted({s for k in found["figures"] for s in _source_names(assessment.figure(k))})
    if named:
        found["sources"] = named
        found["text"] += f" Sources: {', '.join(named)}."
    return found


def _source_names(figure: Any) -> list[str]:
    return [part.rsplit(" ", 1)[0] for part in figure.detail.get("sources", "").split(", ") if part]
