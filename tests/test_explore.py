"""Exploring: related behaviours, the map, search, compare, and the explore page (AppTest)."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from explore import atlas as atlas_module
from explore import browse, neighbours, projection, vectors
from explore.vectors import Behaviour, Table
from retrieval.text import InputError

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "ui" / "explore.py")
NEGOTIATES = "negotiates-persuasively"


def synthetic(rows: list[tuple[str, list[float]]]) -> Table:
    """A table from (capability id, vector) rows; the cluster is the capability's first letter."""
    counts: dict[str, int] = {}
    behaviours = []
    for cap, _ in rows:
        counts[cap] = counts.get(cap, 0) + 1
        behaviours.append(Behaviour(f"{cap}.{counts[cap]}", f"{cap} behaviour {counts[cap]}", cap, cap.title(),
                                    cap[0], cap[0].upper()))
    vecs = np.array([v for _, v in rows], dtype=np.float32)
    return Table(tuple(behaviours), vecs / np.linalg.norm(vecs, axis=1, keepdims=True))


@pytest.fixture
def tiny_table(tiny_framework, tiny_retriever) -> Table:
    return vectors.table(tiny_framework, tiny_retriever.index)


@pytest.fixture
def tiny_atlas(tiny_framework, tiny_retriever):
    return atlas_module.build(tiny_framework, tiny_retriever.index)


# vectors


def test_table_follows_framework_order_with_index_vectors(tiny_framework, tiny_retriever, tiny_table):
    index = tiny_retriever.index
    assert tiny_table.ids == tuple(ind.id for ind in tiny_framework.indicators)
    for behaviour, vector in zip(tiny_table.behaviours, tiny_table.vectors, strict=True):
        row = next(n for n, item in enumerate(index.items) if item.id == behaviour.indicator_id)
        assert index.items[row].kind == "indicator"
        np.testing.assert_allclose(vector, index.vectors[row], atol=1e-6)
        ind = tiny_framework.indicator(behaviour.indicator_id)
        assert behaviour.text == ind.text
        assert behaviour.capability == tiny_framework.capability(ind.capability_id).name
    np.testing.assert_allclose(np.linalg.norm(tiny_table.vectors, axis=1), 1.0, atol=1e-5)


def test_table_refuses_an_index_of_another_framework(tiny_doc, tmp_path, tiny_retriever):
    from corpus.model import from_dict

    tiny_doc["clusters"][0]["capabilities"][0]["indicators"].append({"id": "coaching.3", "text": "Listens well."})
    other = from_dict(tiny_doc, sha256="x")
    with pytest.raises(ValueError, match="coaching.3"):
        vectors.table(other, tiny_retriever.index)


def test_table_rebuilds_vectors_from_faiss_when_the_index_kept_none(tiny_framework, tiny_retriever, tiny_table):
    import dataclasses

    bare = dataclasses.replace(tiny_retriever.index, vectors=np.zeros((0, tiny_table.vectors.shape[1])))
    np.testing.assert_allclose(vectors.table(tiny_framework, bare).vectors, tiny_table.vectors, atol=1e-6)


def test_fingerprint_changes_with_the_framework_and_the_index(tiny_framework, tiny_retriever):
    import dataclasses

    first = vectors.fingerprint(tiny_framework, tiny_retriever.index)
    assert first == vectors.fingerprint(tiny_framework, tiny_retriever.index)
    assert first != vectors.fingerprint(dataclasses.replace(tiny_framework, sha256="other"), tiny_retriever.index)
    rebuilt = dataclasses.replace(tiny_retriever.index, manifest={**tiny_retriever.index.manifest, "model": "m2"})
    assert first != vectors.fingerprint(tiny_framework, rebuilt)


# neighbours


def test_indicator_neighbours_are_the_nearest_of_other_capabilities(tiny_table):
    result = neighbours.build(tiny_table, per_indicator=3)
    sims = tiny_table.vectors @ tiny_table.vectors.T
    for n, behaviour in enumerate(tiny_table.behaviours):
        others = [j for j, b in enumerate(tiny_table.behaviours) if b.capability_id != behaviour.capability_id]
        expected = sorted(others, key=lambda j: -sims[n, j])[:3]
        got = result.of_indicator(behaviour.indicator_id)
        assert [r.behaviour.indicator_id for r in got] == [tiny_table.behaviours[j].indicator_id for j in expected]
        assert [r.similarity for r in got] == pytest.approx([float(sims[n, j]) for j in expected], abs=1e-6)
        assert all(r.behaviour.capability_id != behaviour.capability_id for r in got)


def test_capability_neighbours_take_the_best_link_and_name_it():
    table = synthetic([
        ("alpha", [1, 0, 0, 0]), ("alpha", [0, 1, 0, 0]),
        ("beta", [0.9, 0.1, 0, 0]), ("beta", [0.8, 0.2, 0.1, 0]), ("beta", [0.7, 0.3, 0.2, 0]),
        ("gamma", [0.2, 0.9, 0, 0]), ("gamma", [0, 0.3, 0, 1]),
    ])
    result = neighbours.build(table, per_capability=4, same_capability_limit=2)
    related = result.of_capability("alpha")
    assert [r.behaviour.indicator_id for r in related] == ["beta.1", "gamma.1", "beta.2", "gamma.2"]
    assert [r.via.indicator_id for r in related] == ["alpha.1", "alpha.2", "alpha.1", "alpha.2"]
    sims = table.vectors @ table.vectors.T
    assert related[0].similarity == pytest.approx(float(sims[0, 2]), abs=1e-6)
    assert all(r.behaviour.capability_id != "alpha" for r in related)
    assert [r.similarity for r in related] == sorted((r.similarity for r in related), reverse=True)
    loose = neighbours.build(table, per_capability=4, same_capability_limit=3).of_capability("alpha")
    assert [r.behaviour.indicator_id for r in loose][:3] == ["beta.1", "gamma.1", "beta.2"]
    assert "beta.3" in [r.behaviour.indicator_id for r in loose]


def test_capability_links_are_symmetric_and_ranked():
    table = synthetic([
        ("alpha", [1, 0, 0]), ("alpha", [0.9, 0.1, 0]),
        ("beta", [0.95, 0.05, 0]), ("beta", [0, 1, 0]),
        ("gamma", [0, 0, 1]),
    ])
    result = neighbours.build(table, links=2)
    assert [link.capability_id for link in result.closest_capabilities("alpha")] == ["beta", "gamma"]
    for a, b in combinations(["alpha", "beta", "gamma"], 2):
        assert result.capability_similarity(a, b) == pytest.approx(result.capability_similarity(b, a))
    assert result.capability_similarity("alpha", "beta") > result.capability_similarity("alpha", "gamma")


def test_nearest_to_a_vector_includes_every_capability(tiny_table):
    result = neighbours.build(tiny_table)
    near = result.nearest(tiny_table.vectors[3], k=2)
    assert near[0].behaviour == tiny_table.behaviours[3]
    assert near[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert len(near) == 2 and near[0].similarity >= near[1].similarity


# projection


def test_projection_keeps_the_main_direction_and_places_its_own_points():
    rng = np.random.default_rng(0)
    line = [[t, 0.05 * rng.standard_normal(), 0.05 * rng.standard_normal(), 1.0] for t in np.linspace(-1, 1, 9)]
    table = synthetic([("alpha", v) for v in line[:5]] + [("beta", v) for v in line[5:]])
    proj = projection.fit(table)
    assert proj.explained[0] > 0.9 and proj.explained[0] >= proj.explained[1]
    assert sum(proj.explained) <= 1.0 + 1e-9
    coords = proj.transform(table.vectors)
    np.testing.assert_allclose(coords, [[p.x, p.y] for p in proj.points], atol=1e-5)
    np.testing.assert_allclose(proj.transform(proj.mean)[0], [0.0, 0.0], atol=1e-6)
    xs = [p.x for p in proj.points]
    assert xs == sorted(xs) or xs == sorted(xs, reverse=True)


def test_projection_does_not_depend_on_row_order(tiny_table):
    first = projection.fit(tiny_table)
    order = np.arange(len(tiny_table.behaviours))[::-1]
    shuffled = Table(tuple(tiny_table.behaviours[n] for n in order), tiny_table.vectors[order])
    second = projection.fit(shuffled)
    where = {p.behaviour.indicator_id: (p.x, p.y) for p in second.points}
    for p in first.points:
        assert (p.x, p.y) == pytest.approx(where[p.behaviour.indicator_id], abs=1e-5)


def test_projection_of_two_indicators_has_a_flat_second_axis():
    proj = projection.fit(synthetic([("alpha", [1, 0, 0]), ("beta", [0, 1, 0])]))
    assert proj.explained[1] == 0.0
    assert [p.y for p in proj.points] == [0.0, 0.0]
    assert proj.points[0].x != proj.points[1].x


def test_projection_of_indicators_on_one_line_has_a_flat_second_axis():
    proj = projection.fit(synthetic([("alpha", [1, 0, 0]), ("alpha", [1, 0, 0]), ("beta", [0, 1, 0])]))
    assert proj.explained[0] == pytest.approx(1.0) and proj.explained[1] == 0.0
    assert [p.y for p in proj.points] == [0.0, 0.0, 0.0]
    assert proj.points[2].x == pytest.approx(-2 * proj.points[0].x)


def test_place_a_situation_on_the_map(tiny_atlas, fake_encoder):
    behaviour = tiny_atlas.table.behaviours[4]
    placed = projection.place(behaviour.text, fake_encoder, tiny_atlas.projection, tiny_atlas.neighbours, k=3)
    point = tiny_atlas.projection.points[4]
    assert (placed.x, placed.y) == pytest.approx((point.x, point.y), abs=1e-5)
    assert placed.nearest[0].behaviour == behaviour and len(placed.nearest) == 3
    assert not placed.truncated
    assert projection.place("word " * 50, fake_encoder, tiny_atlas.projection, tiny_atlas.neighbours,
                            max_chars=40).truncated
    with pytest.raises(InputError):
        projection.place("   \n ", fake_encoder, tiny_atlas.projection, tiny_atlas.neighbours)


# browse: search, links, compare


def test_search_needs_every_word_as_the_start_of_a_word(tiny_framework):
    hits = browse.search(tiny_framework, "Mediat COLLEAGUES")
    assert [(h.kind, h.indicator_id) for h in hits] == [("indicator", "conflict.1")]
    assert [hits[0].text[s:e] for s, e in hits[0].marks] == ["Mediates", "colleagues"]
    assert browse.search(tiny_framework, "mediates budget") == ()
    assert browse.search(tiny_framework, "ediates") == ()
    assert browse.search(tiny_framework, "  ") == ()


def test_search_ranks_names_before_descriptions_before_indicators(tiny_framework):
    kinds = [(h.kind, h.capability_id) for h in browse.search(tiny_framework, "budget")]
    assert kinds[0] == ("capability", "budget")
    assert kinds.index(("description", "budget")) < kinds.index(("indicator", "budget"))
    assert [h.kind for h in browse.search(tiny_framework, "people")] == ["cluster", "cluster"]


def test_search_folds_spelling_and_common_words(tiny_framework):
    assert browse.terms("the staff and the budget") == ["staff", "budget"]
    assert browse.terms("and the") == ["and", "the"]
    found = browse.search(tiny_framework, "the staff")
    assert {h.indicator_id for h in found if h.kind == "indicator"} == {"coaching.1", "coaching.2"}


def test_search_the_real_framework_with_american_spelling():
    import settings
    from corpus.model import load

    framework = load(settings.get().framework)
    hits = browse.search(framework, "organization judgment")
    assert hits and all("judgement" in h.text.lower() and "organisation" in h.text.lower() for h in hits)


def test_resolve_deep_link_values(tiny_framework):
    assert browse.resolve(tiny_framework, "conflict") == browse.Target("conflict")
    assert browse.resolve(tiny_framework, "budget.2") == browse.Target("budget", "budget.2")
    assert browse.resolve(tiny_framework, "  resolves CONFLICT ") == browse.Target("conflict")
    assert browse.resolve(tiny_framework, "nothing-like-it") is None
    assert browse.resolve(tiny_framework, "") is None
    assert browse.resolve(tiny_framework, ["conflict"]) is None


def test_compare_two_capabilities(tiny_framework, tiny_atlas):
    comparison = browse.compare(tiny_framework, tiny_atlas.neighbours, ["coaching", "conflict"], overlaps=3)
    assert [c.capability.id for c in comparison.columns] == ["coaching", "conflict"]
    assert comparison.columns[1].cluster == "People"
    sims = tiny_atlas.neighbours.similarity
    table = tiny_atlas.table
    pairs = sorted(((float(sims[table.row(a.id), table.row(b.id)]), a.id, b.id)
                    for a in tiny_framework.capability("coaching").indicators
                    for b in tiny_framework.capability("conflict").indicators), reverse=True)
    assert [(o.first.indicator_id, o.second.indicator_id) for o in comparison.overlaps] == [(a, b) for _, a, b in
                                                                                            pairs[:3]]
    assert comparison.overlaps[0].similarity == pytest.approx(pairs[0][0], abs=1e-6)
    for column in comparison.columns:
        other = "conflict" if column.capability.id == "coaching" else "coaching"
        best = {ind.id: max(float(sims[table.row(ind.id), table.row(o.id)])
                            for o in tiny_framework.capability(other).indicators)
                for ind in column.capability.indicators}
        assert column.distinctive.indicator_id == min(best, key=best.get)
        assert column.distinctive_similarity == pytest.approx(min(best.values()), abs=1e-6)
    assert comparison.pairs[0][:2] == ("coaching", "conflict")
    assert comparison.pairs[0][2] == pytest.approx(tiny_atlas.neighbours.capability_similarity("conflict", "coaching"))


def test_compare_refuses_bad_selections(tiny_framework, tiny_atlas):
    single = browse.compare(tiny_framework, tiny_atlas.neighbours, ["budget"])
    assert single.overlaps == () and single.columns[0].distinctive is None
    with pytest.raises(ValueError):
        browse.compare(tiny_framework, tiny_atlas.neighbours, ["budget", "budget"])
    with pytest.raises(ValueError):
        browse.compare(tiny_framework, tiny_atlas.neighbours, ["budget", "coaching", "conflict", "budget"])
    with pytest.raises(KeyError):
        browse.compare(tiny_framework, tiny_atlas.neighbours, ["budget", "nope"])


# the real index


@pytest.fixture(scope="session")
def real_atlas(real_retriever):
    return atlas_module.build(real_retriever.framework, real_retriever.index)


@pytest.mark.slow
def test_real_atlas_covers_every_indicator_with_exact_wording(real_retriever, real_atlas):
    framework = real_retriever.framework
    assert [b.text for b in real_atlas.table.behaviours] == [ind.text for ind in framework.indicators]
    assert len(real_atlas.projection.points) == len(framework.indicators)
    assert set(real_atlas.neighbours.by_capability) == {cap.id for cap in framework.capabilities}
    for cap in framework.capabilities:
        related = real_atlas.neighbours.of_capability(cap.id)
        assert len(related) == 8 and all(r.behaviour.capability_id != cap.id for r in related)
        assert all(r.via.capability_id == cap.id for r in related)


@pytest.mark.slow
@pytest.mark.parametrize("pair", [
    ("nurtures-internal-and-external-relationships", "facilitates-cooperation-and-partnerships"),
    ("communicates-clearly", "listens-understands-and-adapts-to-audience"),
])
def test_real_kindred_capabilities_name_each_other(real_atlas, pair):
    first, second = pair
    for a, b in ((first, second), (second, first)):
        links = [link.capability_id for link in real_atlas.neighbours.closest_capabilities(a)][:3]
        assert b in links, (a, links)
        related = real_atlas.neighbours.of_capability(a)
        assert b in {r.behaviour.capability_id for r in related[:8]}


@pytest.mark.slow
def test_real_capabilities_of_one_cluster_are_closer_than_those_of_different_clusters(real_retriever, real_atlas):
    capabilities = real_retriever.framework.capabilities
    within, across = [], []
    for n, first in enumerate(capabilities):
        for second in capabilities[n + 1:]:
            score = real_atlas.neighbours.capability_similarity(first.id, second.id)
            (within if first.cluster_id == second.cluster_id else across).append(score)
    assert within and across
    assert np.mean(within) > np.mean(across) + 0.02, (np.mean(within), np.mean(across))


# the page


def explore_app(path: str) -> None:
    import streamlit as st

    st.navigation([st.Page(path, title="Explore the framework", url_path="explore")]).run()


@pytest.fixture
def real_app(real_settings, real_retriever, monkeypatch):
    """The explore page on its own, using the session's real index; caches cleared before and after."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ILS_COACH_INDEX_DIR", str(real_settings.index_dir))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_function(explore_app, args=(PAGE,), default_timeout=120)
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app(fake_served):
    """The explore page on its own, with the fake retriever over the real framework (its own index vectors)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_function(explore_app, args=(PAGE,), default_timeout=60)


@pytest.fixture(scope="session")
def fake_atlas(fake_real_retriever):
    return atlas_module.build(fake_real_retriever.framework, fake_real_retriever.index)


def markdown_texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def no_exceptions(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_page_deep_link_opens_the_capability(app, fake_served):
    app.query_params["capability"] = NEGOTIATES
    app.run()
    no_exceptions(app)
    cap = fake_served.framework.capability(NEGOTIATES)
    assert [h.value for h in app.header] == [cap.name]
    shown = "\n".join(markdown_texts(app))
    assert cap.description in shown
    for n, ind in enumerate(cap.indicators, 1):
        assert f"**{n}\\.** {ind.text}" in markdown_texts(app)
    assert app.query_params["capability"] == NEGOTIATES
    assert app.button(key=f"nav-{NEGOTIATES}").proto.type == "primary"


def test_page_deep_link_to_an_indicator_and_to_nothing(app, fake_served):
    app.query_params["capability"] = f"{NEGOTIATES}.5"
    app.run()
    no_exceptions(app)
    assert [h.value for h in app.header] == [fake_served.framework.capability(NEGOTIATES).name]
    assert "The behaviour you followed:" in [c.value for c in app.caption]
    assert app.query_params["capability"] == NEGOTIATES
    other = type(app).from_function(explore_app, args=(PAGE,), default_timeout=120)
    other.query_params["capability"] = "no-such-capability"
    other.run()
    no_exceptions(other)
    assert not other.header
    assert any("no-such-capability" in w.value for w in other.warning)


def test_page_opens_the_capability_the_chat_asked_for(app):
    app.query_params["capability"] = NEGOTIATES
    app.session_state["explore_capability"] = "displays-resilience"
    app.run()
    no_exceptions(app)
    assert [h.value for h in app.header] == ["Displays resilience"]
    assert "explore_capability" not in app.session_state
    assert app.query_params["capability"] == "displays-resilience"
    app.run()
    assert [h.value for h in app.header] == ["Displays resilience"]


def test_page_lists_related_behaviours_from_other_capabilities(app, fake_atlas, fake_served):
    app.query_params["capability"] = NEGOTIATES
    app.run()
    no_exceptions(app)
    shown = markdown_texts(app)
    own = {ind.text for ind in fake_served.framework.capability(NEGOTIATES).indicators}
    for rel in fake_atlas.neighbours.of_capability(NEGOTIATES):
        assert rel.behaviour.text in shown and rel.behaviour.text not in own
    cap = fake_served.framework.capability(NEGOTIATES)
    expanders = [e for e in app.expander if e.label.startswith("Related behaviours")]
    assert len(expanders) == len(cap.indicators)
    for ind, expander in zip(cap.indicators, expanders, strict=True):
        related = fake_atlas.neighbours.of_indicator(ind.id)
        assert expander.label == f"Related behaviours in other capabilities ({len(related)})"
        assert [m.value for m in expander.markdown] == [r.behaviour.text for r in related]
        assert [c.value for c in expander.caption] == [f"Similarity {r.similarity:.2f} · {r.behaviour.cluster}"
                                                       for r in related]
    first = fake_atlas.neighbours.of_capability(NEGOTIATES)[0].behaviour
    app.button(key="relcap-0").click().run()
    no_exceptions(app)
    assert [h.value for h in app.header] == [first.capability]
    assert app.query_params["capability"] == first.capability_id
    assert "The behaviour you followed:" in [c.value for c in app.caption]


def test_page_search_finds_and_opens(app):
    app.run()
    no_exceptions(app)
    assert not app.header
    app.text_input(key="explore_query").input("negotiat stakeholders").run()
    no_exceptions(app)
    assert any("**stakeholders**" in m for m in markdown_texts(app))
    app.button(key="hit-0").click().run()
    assert [h.value for h in app.header] == ["Negotiates persuasively"]
    app.text_input(key="explore_query").input("zzzz qqqq").run()
    assert any("Nothing in the framework" in i.value for i in app.info)


def test_page_adds_to_the_coaching_plan(app):
    app.query_params["capability"] = NEGOTIATES
    app.run()
    app.button(key=f"plan-{NEGOTIATES}").click().run()
    app.button(key=f"plan-{NEGOTIATES}.2").click().run()
    no_exceptions(app)
    assert app.session_state["plan"]["capabilities"] == [NEGOTIATES]
    assert app.session_state["plan"]["indicators"] == [f"{NEGOTIATES}.2"]
    assert app.button(key=f"plan-{NEGOTIATES}").disabled


def vega_specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def situation_marked(spec: dict) -> bool:
    """Whether the chart has the cross that marks a situation."""
    return any(layer["mark"].get("shape") == "cross" for layer in spec["layer"])


def test_page_map_renders_coloured_by_cluster(app):
    app.session_state["explore_view"] = "Map"
    app.run()
    no_exceptions(app)
    specs = vega_specs(app)
    assert len(specs) == 1
    layer = specs[0]["layer"][0]
    assert layer["encoding"]["color"]["field"] == "cluster"
    assert {t["field"] for t in layer["encoding"]["tooltip"]} >= {"indicator", "capability"}
    assert len(specs[0]["layer"]) == 1 and not situation_marked(specs[0])
    assert not any("Nearest behaviours" in m for m in markdown_texts(app))
    legend = layer["encoding"]["color"]["legend"]
    assert legend["columns"] == 1 and legend["labelLimit"] == 0, "cluster names are never cut"
    assert specs[0]["usermeta"]["embedOptions"]["renderer"] == "svg"


@pytest.mark.slow
def test_page_map_reads_a_mark_without_hover(app, real_atlas):
    point = real_atlas.projection.points[7]
    behaviour = point.behaviour
    app.session_state["explore_view"] = "Map"
    app.run()
    assert not [c for c in app.caption if behaviour.cluster in c.value]
    app.selectbox(key="explore_point").select(behaviour.indicator_id).run()
    no_exceptions(app)
    assert f"**{behaviour.text}**" in [m.replace("\\", "") for m in markdown_texts(app)]
    assert any(behaviour.cluster in c.value.replace("\\", "") for c in app.caption)
    marked = [layer for layer in vega_specs(app)[0]["layer"] if layer["mark"].get("shape") == "square"]
    assert len(marked) == 1, "the chosen mark is marked on the map"
    app.button(key="point-open").click().run()
    no_exceptions(app)
    assert [h.value for h in app.header] == [behaviour.capability]
    assert "The behaviour you followed:" in [c.value for c in app.caption]


@pytest.mark.slow
def test_page_shows_the_capability_before_the_list(app):
    app.query_params["capability"] = NEGOTIATES
    app.run()
    no_exceptions(app)
    first, second = app.columns[0], app.columns[1]
    assert [h.value for h in first.header] == ["Negotiates persuasively"]
    assert [s.value for s in second.subheader] == ["Clusters and capabilities"]


def marks_the_latest_chat_situation(app, atlas, retriever) -> list:
    """The chat's latest situation on the map with its nearest behaviours listed; the situation can be added to
    the plan, removed, and another one placed. Returns the nearest behaviours."""
    situation = "We are negotiating a funding agreement with the states and they won't budge on the cost split"
    app.session_state["explore_view"] = "Map"
    app.session_state["last_situation"] = situation
    app.run()
    no_exceptions(app)
    assert situation_marked(vega_specs(app)[0])
    placed = projection.place(situation, retriever.encoder, atlas.projection, atlas.neighbours)
    shown = markdown_texts(app)
    start = shown.index(next(m for m in shown if m.startswith("**Nearest behaviours")))
    assert shown[start + 1:start + 1 + len(placed.nearest)] == [r.behaviour.text for r in placed.nearest]
    app.button(key="plan-situation").click().run()
    assert app.session_state["plan"]["situations"] == [situation]
    next(b for b in app.button if b.label == "Remove it from the map").click().run()
    no_exceptions(app)
    assert not situation_marked(vega_specs(app)[0])
    assert app.text_area(key="explore_situation_input").value == ""
    app.text_area(key="explore_situation_input").input("Two of my directors are in open conflict over resources")
    next(b for b in app.button if b.label == "Place on the map").click().run()
    no_exceptions(app)
    assert situation_marked(vega_specs(app)[0])
    return placed.nearest


def test_page_map_gives_distress_the_care_reply_instead_of_placing_it(app, fake_atlas, fake_served):
    """The safety net runs on a situation typed to place on the map, as in the chat: the care reply, no mark."""
    app.session_state["explore_view"] = "Map"
    app.run()
    app.text_area(key="explore_situation_input").input("I keep thinking everyone would be better off without me")
    next(b for b in app.button if b.label == "Place on the map").click().run()
    no_exceptions(app)
    assert any("Lifeline on 13 11 14" in m.value for m in app.markdown)
    assert not situation_marked(vega_specs(app)[0])
    assert not any(m.startswith("**Nearest behaviours") for m in markdown_texts(app))
    assert not [b for b in app.button if b.key == "explore-about-work"], "plain words of distress: no way round"
    app.text_area(key="explore_situation_input").input("Two of my directors are in open conflict over resources")
    next(b for b in app.button if b.label == "Place on the map").click().run()
    assert situation_marked(vega_specs(app)[0])
    assert not any("Lifeline on 13 11 14" in m.value for m in app.markdown)


def test_page_map_places_a_misread_work_situation_once_the_person_says_so(app, fake_atlas, fake_served, monkeypatch):
    from safety.guard import Guard, Verdict

    text = "My EL1 keeps missing deadlines. I've been putting it off for weeks and that's not fair on anyone."
    check = Guard.check
    monkeypatch.setattr(Guard, "check", lambda self, t, reply=False: Verdict(True, "detector", 0.1)
                        if "putting it off" in t else check(self, t, reply))
    app.session_state["explore_view"] = "Map"
    app.run()
    app.text_area(key="explore_situation_input").input(text)
    next(b for b in app.button if b.label == "Place on the map").click().run()
    assert any("Lifeline on 13 11 14" in m.value for m in app.markdown)
    assert not situation_marked(vega_specs(app)[0])
    app.button(key="explore-about-work").click().run()
    no_exceptions(app)
    assert situation_marked(vega_specs(app)[0])
    assert not any("Lifeline on 13 11 14" in m.value for m in app.markdown)


def test_page_map_marks_the_latest_chat_situation(app, fake_atlas, fake_served):
    marks_the_latest_chat_situation(app, fake_atlas, fake_served)


@pytest.mark.slow
def test_page_map_marks_the_latest_chat_situation_near_its_capability(real_app, real_atlas, real_retriever):
    nearest = marks_the_latest_chat_situation(real_app, real_atlas, real_retriever)
    assert nearest[0].behaviour.capability_id == NEGOTIATES


def test_page_compare_view(app, fake_atlas):
    app.query_params["capability"] = NEGOTIATES
    app.run()
    closest = fake_atlas.neighbours.closest_capabilities(NEGOTIATES)[0]
    app.button(key=f"cmp-{NEGOTIATES}").click().run()
    no_exceptions(app)
    assert [s.value for s in app.subheader][:3] == ["Compare capabilities", "Negotiates persuasively",
                                                  closest.capability]
    assert any(m == "**Where they overlap**" for m in markdown_texts(app))
    app.multiselect(key="explore_compare_input").select("displays-resilience").run()
    no_exceptions(app)
    assert [s.value for s in app.subheader][1:] == ["Negotiates persuasively", closest.capability,
                                                   "Displays resilience"]
    app.multiselect(key="explore_compare_input").unselect(closest.capability_id).unselect(
        "displays-resilience").run()
    no_exceptions(app)
    assert any("Choose two or three" in i.value for i in app.info)


def test_page_shows_a_hostile_link_value_inert(app):
    app.query_params["capability"] = "<img src=x onerror=alert(1)>[click](javascript:alert(1))"
    app.run()
    no_exceptions(app)
    warning = app.warning[0].value
    assert "No capability" in warning
    assert "<" not in warning and "](" not in warning and "javascript:" not in warning
    assert not app.header
