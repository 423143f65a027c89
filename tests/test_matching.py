"""Finding what someone means from how they typed it."""

from dataclasses import dataclass

import pytest

from scorecard.matching import Scored, closest, normalize, rank, resolve


@dataclass(frozen=True)
class Named:
    key: str
    name: str


KPIS = [
    Named("ig_followers", "Instagram followers"),
    Named("tiktok_followers", "TikTok followers"),
    Named("ig_reach", "Instagram reach"),
    Named("engagement", "Engagement rate"),
    Named("nps", "Net promoter score"),
    Named("top_posts", "Top 10 posts"),
    Named("q4_revenue", "Q4 revenue"),
    Named("revenue_growth", "Revenue growth"),
    Named("rnd_spend", "R&D spend"),
]


def names(kpi: Named) -> tuple[str, str]:
    return (kpi.key, kpi.name)


def named(*wanted: str) -> list[Named]:
    return [kpi for kpi in KPIS if kpi.name in wanted]


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Instagram Followers", "instagram followers"),
        ("  “Top 10 posts”  ", "top 10 posts"),
        ("R&D spend", "r and d spend"),
        ("ig_followers", "ig followers"),
        ("customer's  NPS!", "customers nps"),
        ("Café visits", "cafe visits"),
    ],
)
def test_normalize(typed: str, normalized: str) -> None:
    assert normalize(typed) == normalized


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Instagram followers", "Instagram followers"),  # exact
        ("instagram FOLLOWERS!", "Instagram followers"),  # exact once normalized
        ("ig_followers", "Instagram followers"),  # the key
        ("ig followers", "Instagram followers"),  # abbreviation
        ("insta foll", "Instagram followers"),  # word starts
        ("instagram folowers", "Instagram followers"),  # typo
        ("instagramfollowers", "Instagram followers"),  # missing space
        ("tiktok folowers", "TikTok followers"),
        ("eng rate", "Engagement rate"),
        ("engagment", "Engagement rate"),
        ("enagement rate", "Engagement rate"),
        ("nps", "Net promoter score"),
        ("top 10 psts", "Top 10 posts"),
        ("q4 revnue", "Q4 revenue"),
        ("r and d spend", "R&D spend"),
        ("reach", "Instagram reach"),
    ],
)
def test_resolve_finds_the_one_item_meant(typed: str, meant: str) -> None:
    assert resolve(typed, KPIS, names) == named(meant)


@pytest.mark.parametrize(
    ("typed", "choices"),
    [
        ("followers", ("Instagram followers", "TikTok followers")),
        ("revenue", ("Q4 revenue", "Revenue growth")),
        ("instagram", ("Instagram followers", "Instagram reach")),
        ("instgram", ("Instagram followers", "Instagram reach")),
    ],
)
def test_resolve_lists_every_close_item_when_it_is_ambiguous(
    typed: str, choices: tuple[str, ...]
) -> None:
    assert resolve(typed, KPIS, names) == named(*choices)


def test_resolve_returns_every_item_with_exactly_that_name() -> None:
    action = Named("brand", "Brand awareness")
    objective = Named("brand-awareness", "Brand awareness")
    assert resolve("brand awareness", [action, objective], names) == [action, objective]


@pytest.mark.parametrize("typed", ["xyz", "", "   ", "instagram followers campaign ended"])
def test_resolve_finds_nothing_for_unrelated_text(typed: str) -> None:
    assert resolve(typed, KPIS, names) == []


def test_rank_orders_best_first_with_scores_out_of_100() -> None:
    ranked = rank("ig followers", KPIS, names)
    assert ranked[0] == Scored(named("Instagram followers")[0], ranked[0].score)
    assert [scored.score for scored in ranked] == sorted(
        (scored.score for scored in ranked), reverse=True
    )
    assert all(60 <= scored.score <= 100 for scored in ranked)


def test_rank_scores_an_exact_name_100_and_respects_the_limit() -> None:
    ranked = rank("top 10 posts", KPIS, names, limit=1)
    assert ranked == [Scored(named("Top 10 posts")[0], 100.0)]


def test_rank_prefers_the_whole_name_to_part_of_it_or_more_than_it() -> None:
    """finding.split_leading_item relies on this to tell a name from the note after it."""
    kpi = named("Instagram followers")
    whole = rank("instagram folowers", kpi, names)[0].score
    part = rank("instagram", kpi, names)[0].score
    more = rank("instagram folowers campaign", kpi, names)
    assert whole > part
    assert not more or more[0].score < whole


def test_rank_leaves_out_unrelated_items() -> None:
    assert rank("xyz", KPIS, names) == []


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("instagram followers campaign ended", "Instagram followers"),
        ("tiktok folowers count", "TikTok followers"),
        ("engagemnt rte", "Engagement rate"),
    ],
)
def test_closest_suggests_something_loosely_similar(typed: str, suggestion: str) -> None:
    assert closest(typed, KPIS, names) == named(suggestion)[0]


def test_closest_suggests_what_resolve_was_not_sure_enough_to_pick() -> None:
    assert resolve("folowers count", KPIS, names) == []
    assert closest("folowers count", KPIS, names) in named(
        "Instagram followers", "TikTok followers"
    )


def test_closest_suggests_nothing_for_gibberish() -> None:
    assert closest("qqqq", KPIS, names) is None
