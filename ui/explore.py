"""The explore page: the framework by cluster and capability, related behaviours, a map and a compare view."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from explore import atlas as atlas_module
from explore import browse, projection, vectors
from retrieval.text import InputError
from ui import common, state

SELECTED = "explore_selected"
HIGHLIGHT = "explore_indicator"
SEEN_LINK = "explore_seen_link"
SEEN_CHAT = "explore_seen_situation"
PLACED = "explore_situation"
PLACE_INPUT = "explore_situation_input"
POINT = "explore_point"
COMPARE = "explore_compare_ids"
COMPARE_INPUT = "explore_compare_input"
VIEW = "explore_view"
VIEWS = ("Capabilities", "Map", "Compare")
MARKDOWN = re.compile(r"([\\`*_\[\]<>#$~|])")
SHAPES = ["circle", "square", "triangle-up", "diamond", "triangle-down", "triangle-right", "triangle-left", "wedge"]
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
OUTLINE_STYLE = """<style>
.st-key-explore-page button[kind="tertiary"], [class*="st-key-explore-outline-"] button {
  justify-content: flex-start; text-align: left; }
.st-key-explore-page button[kind="tertiary"] p, [class*="st-key-explore-outline-"] button p { text-align: left; }
</style>"""


def md(text: str) -> str:
    """Framework or user text made safe to show inside Markdown: it shows as written, never as markup."""
    text = MARKDOWN.sub(r"\\\1", text)
    return re.sub(r"^(\s*)(\d+)([.)])", r"\1\2\\\3", re.sub(r"^(\s*)([-+=])", r"\1\\\2", text))


def marked(text: str, marks: tuple[tuple[int, int], ...]) -> str:
    """Text with the given character spans in bold."""
    out, last = [], 0
    for start, end in marks:
        out += [md(text[last:start]), f"**{md(text[start:end])}**"]
        last = end
    return "".join(out + [md(text[last:])])


@st.cache_resource(show_spinner=False)
def load_atlas(key: str, _retriever) -> atlas_module.Atlas:
    """Related behaviours and the map, computed once per framework and index (`key` names them)."""
    return atlas_module.build(_retriever.framework, _retriever.index)


def add_capability(capability_id: str) -> None:
    state.add_to_plan(state.plan(), capability_id)


def add_indicator(capability_id: str, indicator_id: str) -> None:
    state.add_to_plan(state.plan(), capability_id, [indicator_id])


def plan_situation(text: str) -> tuple[str, int | None]:
    """What the plan keeps for a situation on the map, and its chat situation number: the chat's latest situation
    as the person wrote it (see state.chat_situation) when that is what the map shows, else the text as typed."""
    text = text.strip()
    if text and text == (st.session_state.get(state.LAST_SITUATION) or "").strip():
        source, written = state.chat_situation(state.messages())
        if written:
            return written, source
    return text, None


def add_situation(text: str) -> None:
    state.add_situation(state.plan(), *plan_situation(text))


def open_capability(capability_id: str, indicator_id: str = "") -> None:
    st.session_state[SELECTED] = capability_id
    st.session_state[HIGHLIGHT] = indicator_id
    st.session_state[VIEW] = "Capabilities"


def start_compare(capability_ids: list[str]) -> None:
    st.session_state[COMPARE] = list(capability_ids)
    st.session_state[VIEW] = "Compare"


def keep_compare() -> None:
    st.session_state[COMPARE] = list(st.session_state.get(COMPARE_INPUT) or [])


def follow_links(framework) -> None:
    """Open the capability named by the chat (session state) or by a new `?capability=` link."""
    incoming = st.session_state.pop("explore_capability", None)
    link = st.query_params.get("capability")
    value = incoming or (link if link and link != st.session_state.get(SEEN_LINK) else None)
    st.session_state[SEEN_LINK] = link
    if value:
        target = browse.resolve(framework, value)
        if target is None:
            shown = md(re.sub(r"[^\w .,'-]", "", str(value))[:80]).replace(".", "\\.")
            st.warning(f"No capability in this framework matches “{shown}”. Choose one below.")
        else:
            open_capability(target.capability_id, target.indicator_id)


def sync_link(selected: str | None) -> None:
    if selected and st.query_params.get("capability") != selected:
        st.query_params["capability"] = selected
    st.session_state[SEEN_LINK] = selected or st.session_state.get(SEEN_LINK)


def related_row(related, key: str, via: bool = False) -> None:
    """One related behaviour: its capability (a button that opens it), its wording and its similarity."""
    behaviour = related.behaviour
    with st.container(gap=None):
        st.button(behaviour.capability, key=key, type="tertiary", icon=":material/arrow_forward:",
                  icon_position="right", on_click=open_capability,
                  args=(behaviour.capability_id, behaviour.indicator_id),
                  help=f"Open {behaviour.capability} ({behaviour.cluster})")
        st.markdown(md(behaviour.text))
        note = f"Similarity {related.similarity:.2f} · {behaviour.cluster}"
        if via and related.via is not None:
            note += f" · closest to: “{related.via.text}”"
        st.caption(md(note))


def search_results(framework) -> None:
    query = st.text_input("Search the framework", key="explore_query",
                          placeholder="For example: stakeholders, risk, negotiation",
                          help="Finds capabilities, clusters, descriptions and indicators that contain every word "
                               "you type (a word can be the start of a longer one).")
    if not query.strip():
        return
    hits = browse.search(framework, query)
    if not hits:
        st.info("Nothing in the framework contains all of those words. Try fewer or shorter words.")
        return
    labels = {"cluster": "In the cluster", "description": "Description", "indicator": "Indicator"}
    st.caption(f"{len(hits)} match{'es' if len(hits) != 1 else ''}, names first. Select a capability to open it.")
    with st.container(border=True, height=min(420, 110 * len(hits) + 20)):
        for n, hit in enumerate(hits):
            st.button(hit.capability, key=f"hit-{n}", type="tertiary", icon=":material/arrow_forward:",
                      icon_position="right", on_click=open_capability,
                      args=(hit.capability_id, hit.indicator_id), help=f"Open {hit.capability}")
            if hit.kind != "capability":
                st.markdown(f"{labels[hit.kind]}: {marked(hit.text, hit.marks)}")


def outline(framework, selected: str | None) -> None:
    st.subheader("Clusters and capabilities", anchor=False)
    for cluster in framework.clusters:
        with st.container(gap="xsmall", key=f"explore-outline-{cluster.id}"):
            st.markdown(f"**{md(cluster.name)}**")
            for cap in cluster.capabilities:
                st.button(cap.name, key=f"nav-{cap.id}", on_click=open_capability, args=(cap.id,),
                          type="primary" if cap.id == selected else "tertiary", wrap=True,
                          help=f"Open {cap.name}: description, indicators and related behaviours")


def capability_view(atlas, selected: str | None) -> None:
    framework, neighbours = atlas.framework, atlas.neighbours
    if not selected:
        st.info("Choose a capability from the clusters and capabilities listed beside this (below it on a small "
                "screen), search above, or follow an “explore” link from a chat answer. Each capability shows its "
                "description, its behavioural indicators, and related behaviours in other capabilities.")
        return
    cap = framework.capability(selected)
    cluster = framework.cluster(cap.cluster_id)
    highlight = st.session_state.get(HIGHLIGHT, "")
    st.header(md(cap.name), anchor=False)
    st.caption(f"Cluster: {md(cluster.name)}")
    st.markdown(md(cap.description))
    with st.expander("Share a link to this capability", icon=":material/link:"):
        st.code(f"{st.context.url or ''}?capability={cap.id}", language=None, wrap_lines=True)
    closest = neighbours.closest_capabilities(cap.id)
    with st.container(horizontal=True):
        in_plan = state.in_plan(state.plan(), cap.id)
        st.button("In your coaching plan" if in_plan else "Add to coaching plan", key=f"plan-{cap.id}",
                  icon=":material/check:" if in_plan else ":material/add:", disabled=in_plan,
                  on_click=add_capability, args=(cap.id,),
                  help=f"Add {cap.name} to the coaching plan for this session")
        if closest:
            st.button(f"Compare with {closest[0].capability}", key=f"cmp-{cap.id}", icon=":material/compare:",
                      on_click=start_compare, args=([cap.id, closest[0].capability_id],),
                      help="Show both capabilities side by side")

    st.subheader("Behavioural indicators", anchor=False)
    for n, ind in enumerate(cap.indicators, 1):
        related = neighbours.of_indicator(ind.id)
        with st.container(border=True):
            if ind.id == highlight:
                st.caption("The behaviour you followed:")
            st.markdown(f"**{n}\\.** {md(ind.text)}")
            added = ind.id in state.plan()["indicators"]
            st.button(f"Indicator {n} is in your plan" if added else f"Add indicator {n} to coaching plan",
                      key=f"plan-{ind.id}", disabled=added, on_click=add_indicator, args=(cap.id, ind.id),
                      type="tertiary", icon=":material/check:" if added else ":material/add:",
                      help="Adds this indicator (and its capability) to the coaching plan for this session")
            with st.expander(f"Related behaviours in other capabilities ({len(related)})",
                             expanded=ind.id == highlight):
                for k, rel in enumerate(related):
                    related_row(rel, key=f"rel-{ind.id}-{k}")

    st.subheader("Related behaviours across the framework", anchor=False)
    st.caption("The indicators of other capabilities closest in meaning to any of this capability's indicators "
               "(at most two from any one capability). Similarity is the cosine of the sentence vectors: "
               "about 0.3 is loosely related, 0.6 and above says much the same thing.")
    for k, rel in enumerate(neighbours.of_capability(cap.id)):
        related_row(rel, key=f"relcap-{k}", via=True)

    if closest:
        st.subheader("Closest capabilities overall", anchor=False)
        for link in closest:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.button(link.capability, key=f"link-{link.capability_id}", type="tertiary",
                          icon=":material/arrow_forward:", icon_position="right",
                          on_click=open_capability, args=(link.capability_id,), help=f"Open {link.capability}")
                st.caption(md(f"{link.cluster} · similarity {link.similarity:.2f}"))
                st.button("Compare", key=f"linkcmp-{link.capability_id}", icon=":material/compare:",
                          on_click=start_compare, args=([cap.id, link.capability_id],),
                          help=f"Compare {cap.name} with {link.capability}")


def place_typed() -> None:
    st.session_state[PLACED] = st.session_state.get(PLACE_INPUT, "")


def remove_placed() -> None:
    st.session_state[PLACED] = ""
    st.session_state[PLACE_INPUT] = ""


def situation_form(retriever, atlas):
    """The situation shown on the map: the latest one from the chat, or one typed here. Returns it placed; a typed
    text that reads as distress gets the care reply and is not placed (the safety net runs here as in the chat)."""
    latest = st.session_state.get("last_situation")
    if latest and latest != st.session_state.get(SEEN_CHAT):
        st.session_state[SEEN_CHAT] = latest
        st.session_state[PLACED] = latest
    text = st.session_state.get(PLACED) or ""
    st.session_state.setdefault(PLACE_INPUT, text)
    with st.form("place-situation", border=False):
        st.text_area("Describe a situation to place on the map", key=PLACE_INPUT, height=80,
                     help="Kept only for this session; nothing is stored or sent anywhere.")
        with st.container(horizontal=True):
            st.form_submit_button("Place on the map", icon=":material/my_location:", on_click=place_typed)
            st.form_submit_button("Remove it from the map", on_click=remove_placed)
    text = st.session_state.get(PLACED) or ""
    if not text.strip():
        return None
    verdict = state.distressed(text)
    if verdict.distress:
        common.care()
        if verdict.overridable:
            st.button("It's about work: place it on the map", key="explore-about-work", on_click=state.say_work,
                      args=(text,), icon=":material/work:",
                      help="I read this as personal distress. If it was about a work situation, place it.")
        return None
    try:
        return projection.place(text, retriever.encoder, atlas.projection, atlas.neighbours,
                                max_chars=retriever.max_chars)
    except InputError as err:
        st.warning(str(err).capitalize())
        return None


def pick_from_map() -> None:
    """Show the mark the user clicked or tapped below the map (hover is not needed to read it)."""
    event = st.session_state.get("explore_map")
    picked = (event.selection.get("pick") if event is not None else None) or []
    if picked and picked[0].get("indicator_id"):
        st.session_state[POINT] = picked[0]["indicator_id"]


def chosen_point(atlas):
    """The map point the user chose (by a tap, a click or the list), or None."""
    wanted = st.session_state.get(POINT)
    return next((p for p in atlas.projection.points if p.behaviour.indicator_id == wanted), None)


def read_point(atlas) -> None:
    """The chosen mark in words, with a button to open its capability; and a list to choose a mark without
    pointing at the map at all."""
    points = {p.behaviour.indicator_id: p.behaviour for p in atlas.projection.points}
    st.selectbox("Find an indicator on the map", list(points), key=POINT, index=None,
                 format_func=lambda i: f"{points[i].capability}: {points[i].text}",
                 placeholder="Tap or click a mark, or choose an indicator here",
                 help="The chosen indicator is marked with a black square on the map and described here.")
    point = chosen_point(atlas)
    if point is None:
        return
    behaviour = point.behaviour
    with st.container(border=True, key="explore-point"):
        st.markdown(f"**{md(behaviour.text)}**")
        st.caption(md(f"{behaviour.capability} · {behaviour.cluster}"))
        st.button(f"Open {behaviour.capability}", key="point-open", icon=":material/arrow_forward:",
                  on_click=open_capability, args=(behaviour.capability_id, behaviour.indicator_id),
                  help="Its description, indicators and related behaviours")


def map_chart(atlas, selected: str | None, placed, point=None) -> alt.LayerChart:
    points = pd.DataFrame([{
        "x": p.x, "y": p.y, "indicator": p.behaviour.text, "capability": p.behaviour.capability,
        "cluster": p.behaviour.cluster, "capability_id": p.behaviour.capability_id,
        "indicator_id": p.behaviour.indicator_id, "selected": p.behaviour.capability_id == selected,
    } for p in atlas.projection.points])
    clusters = [c.name for c in atlas.framework.clusters]
    pick = alt.selection_point(name="pick", fields=["capability_id", "indicator_id"], on="click")
    tooltip = [alt.Tooltip("indicator:N", title="Indicator"), alt.Tooltip("capability:N", title="Capability"),
               alt.Tooltip("cluster:N", title="Cluster")]
    base = alt.Chart(points).encode(x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None))
    dots = base.mark_point(filled=True, size=90, opacity=0.85).encode(
        color=alt.Color("cluster:N", title="Cluster", scale=alt.Scale(domain=clusters, range=PALETTE[:len(clusters)]),
                        legend=alt.Legend(orient="bottom", columns=1, labelLimit=0, labelFontSize=13,
                                          labelColor="#1A1A1A", titleFontSize=13, titleColor="#1A1A1A")),
        shape=alt.Shape("cluster:N", title="Cluster", scale=alt.Scale(domain=clusters, range=SHAPES[:len(clusters)])),
        tooltip=tooltip,
    ).add_params(pick)
    layers = [dots]
    if selected:
        ring = base.transform_filter(alt.datum.selected).mark_point(size=320, color="#111111", strokeWidth=2,
                                                                    filled=False)
        layers.append(ring.encode(tooltip=tooltip))
    if point is not None:
        chosen = pd.DataFrame([{"x": point.x, "y": point.y, "label": "Chosen"}])
        layers.append(alt.Chart(chosen).mark_point(shape="square", size=700, color="#111111", strokeWidth=3,
                                                   filled=False).encode(x="x:Q", y="y:Q"))
        layers.append(alt.Chart(chosen).mark_text(dy=24, fontWeight="bold", fontSize=13, color="#111111")
                      .encode(x="x:Q", y="y:Q", text="label:N"))
    if placed is not None:
        near = pd.DataFrame([{"x": placed.x, "y": placed.y, "x2": p.x, "y2": p.y}
                             for rel in placed.nearest for p in atlas.projection.points
                             if p.behaviour.indicator_id == rel.behaviour.indicator_id])
        mark = pd.DataFrame([{"x": placed.x, "y": placed.y, "label": "Your situation"}])
        layers.append(alt.Chart(near).mark_rule(color="#111111", strokeDash=[4, 3], opacity=0.7)
                      .encode(x="x:Q", y="y:Q", x2="x2:Q", y2="y2:Q"))
        layers.append(alt.Chart(mark).mark_point(shape="cross", size=500, filled=True, color="#111111")
                      .encode(x="x:Q", y="y:Q", tooltip=[alt.Tooltip("label:N", title="")]))
        layers.append(alt.Chart(mark).mark_text(dy=-22, fontWeight="bold", fontSize=13, color="#111111")
                      .encode(x="x:Q", y="y:Q", text="label:N"))
    # SVG rather than canvas: every mark is an element of its own, labelled for assistive technology, and the
    # map stays sharp when zoomed on a phone.
    return alt.layer(*layers).properties(height=560, usermeta={"embedOptions": {"renderer": "svg"}})


def map_view(retriever, atlas, selected: str | None) -> None:
    proj = atlas.projection
    st.subheader("Capability map", anchor=False)
    kept = sum(proj.explained) * 100
    st.caption(f"Each mark is one of the {len(proj.points)} behavioural indicators, coloured and shaped by cluster; "
               "indicators close in meaning tend to sit close together. The two directions of the map are the "
               f"two strongest of the sentence vectors (principal components), which keep {kept:.0f}% of the "
               "variation between indicators, so the map is a rough guide: the related-behaviour lists use the "
               "full vectors. Tap or click a mark (or choose an indicator under the map) to read it below the "
               "map and open its capability; hovering shows it too"
               + ("; ringed marks belong to the capability you have open." if selected else "."))
    placed = situation_form(retriever, atlas)
    chart = map_chart(atlas, selected, placed, chosen_point(atlas))
    # Room for the chart's toolbar, which Streamlit draws just above a chart once it is hovered or tapped: without
    # it the toolbar covers the buttons above on a narrow screen.
    st.space(36)
    st.altair_chart(chart, key="explore_map", on_select=pick_from_map, selection_mode="pick",
                    alt="Map of the framework's behavioural indicators, coloured by cluster")
    read_point(atlas)
    if placed is not None:
        st.markdown("**Nearest behaviours to your situation** (marked ✚ on the map, with dashed lines)")
        if placed.truncated:
            st.caption("Only the first part of a long situation was read.")
        for k, rel in enumerate(placed.nearest):
            related_row(rel, key=f"near-{k}")
        situation = st.session_state.get(PLACED, "").strip()
        in_plan = plan_situation(situation)[0] in state.plan()["situations"]
        st.button("Situation in your coaching plan" if in_plan else "Add this situation to coaching plan",
                  key="plan-situation", disabled=in_plan, on_click=add_situation, args=(situation,),
                  help="Keep this situation in the coaching plan for this session")
    with st.expander("The map as a table"):
        st.dataframe(pd.DataFrame([{"Capability": p.behaviour.capability, "Cluster": p.behaviour.cluster,
                                    "Indicator": p.behaviour.text, "Across": round(p.x, 3), "Up": round(p.y, 3)}
                                   for p in proj.points]), hide_index=True)


def compare_view(atlas, selected: str | None) -> None:
    framework = atlas.framework
    ids = [cap.id for cap in framework.capabilities]
    names = {cap.id: cap.name for cap in framework.capabilities}
    if COMPARE not in st.session_state:
        closest = atlas.neighbours.closest_capabilities(selected) if selected else ()
        st.session_state[COMPARE] = [selected, closest[0].capability_id] if closest else []
    st.session_state[COMPARE_INPUT] = [c for c in st.session_state[COMPARE] if c in names][:3]
    st.subheader("Compare capabilities", anchor=False)
    chosen = st.multiselect("Capabilities to compare (choose two or three)", ids, key=COMPARE_INPUT,
                            format_func=names.get, max_selections=3, on_change=keep_compare,
                            placeholder="Choose capabilities")
    if len(chosen) < 2:
        st.info("Choose two or three capabilities to see their descriptions and indicators side by side.")
        if not chosen:
            return
    comparison = browse.compare(framework, atlas.neighbours, chosen)
    for column, holder in zip(comparison.columns, st.columns(len(comparison.columns), gap="medium"), strict=True):
        cap = column.capability
        with holder, st.container(border=True):
            st.subheader(md(cap.name), anchor=False)
            st.caption(f"Cluster: {md(column.cluster)}")
            st.markdown(md(cap.description))
            st.markdown("**Behavioural indicators**")
            st.markdown("\n".join(f"{n}. {md(ind.text)}" for n, ind in enumerate(cap.indicators, 1)))
            if column.distinctive is not None:
                st.markdown("**Most distinctive here**")
                st.caption(md(f"“{column.distinctive.text}” (similarity to the closest indicator of the others: "
                              f"{column.distinctive_similarity:.2f})"))
            with st.container(horizontal=True):
                st.button("Open", key=f"cmpopen-{cap.id}", on_click=open_capability, args=(cap.id,),
                          help=f"Open {cap.name}")
                in_plan = state.in_plan(state.plan(), cap.id)
                st.button("In plan" if in_plan else "Add to plan", key=f"cmpplan-{cap.id}", disabled=in_plan,
                          on_click=add_capability, args=(cap.id,),
                          help=f"Add {cap.name} to the coaching plan for this session")
    if comparison.overlaps:
        st.markdown("**Where they overlap**")
        st.caption(" · ".join(f"{names[a]} and {names[b]}: similarity {score:.2f}" for a, b, score in comparison.pairs))
        for overlap in comparison.overlaps:
            st.markdown(f"- {md(overlap.first.text)} *({md(overlap.first.capability)})*  \n"
                        f"  {md(overlap.second.text)} *({md(overlap.second.capability)})*  \n"
                        f"  similarity {overlap.similarity:.2f}")


def page(retriever) -> None:
    framework = retriever.framework
    try:
        atlas = load_atlas(vectors.fingerprint(framework, retriever.index), retriever)
    except ValueError as err:
        st.error(f"The explore page cannot use this index: {err}. Run `make index`.")
        return
    st.title("Explore the framework", anchor=False)
    st.caption(f"{framework.title}: {len(framework.clusters)} clusters, {len(framework.capabilities)} capabilities "
               f"and {len(framework.indicators)} behavioural indicators. Related behaviours and the map come from "
               "the same sentence vectors the chat uses.")
    st.html(OUTLINE_STYLE)
    with st.container(key="explore-page"):
        follow_links(framework)
        search_results(framework)
        selected = st.session_state.get(SELECTED)
        if selected not in {cap.id for cap in framework.capabilities}:
            selected = None
        sync_link(selected)
        current = state.plan()
        st.sidebar.caption(f"Coaching plan: {len(current['capabilities'])} capabilities, "
                           f"{len(current['indicators'])} indicators, {len(current['situations'])} situations.")
        tabs = st.tabs(list(VIEWS), key=VIEW, on_change="rerun")
        with tabs[0]:
            if tabs[0].open:
                # The chosen capability comes first in reading order, so on a small screen, where the columns
                # stack, an explore link shows it at once rather than under the list of every capability.
                main, side = st.columns([2, 1], gap="large")
                with main:
                    capability_view(atlas, selected)
                with side:
                    outline(framework, selected)
        with tabs[1]:
            if tabs[1].open:
                map_view(retriever, atlas, selected)
        with tabs[2]:
            if tabs[2].open:
                compare_view(atlas, selected)


loaded = state.retriever()
if loaded is not None:
    page(loaded)
