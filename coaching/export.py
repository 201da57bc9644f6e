"""Exports built in memory: the preparation sheet as Markdown and PDF, and the chat transcript as Markdown."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from coaching.inert import inert
from coaching.sheet import Sheet

CREDIT = ("Capability names, indicators and resource descriptions: Australian Public Service Commission "
          "(Integrated Leadership System; performance-management page). Prompts, actions and resource titles: "
          "ILS Coach, not endorsed by the APSC.")
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path.home() / ".local" / "share" / "fonts")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
TRANSCRIPT_CAPABILITIES = 3
LATIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-"})


def _date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def filename(kind: str, day: date, extension: str, label: str = "") -> str:
    """A download's file name; a client label goes in as letters, digits and hyphens only (see `slug`)."""
    part = slug(label)
    return f"ils-coach-{kind}-{part + '-' if part else ''}{day.isoformat()}.{extension}"


def slug(text: str) -> str:
    """A label made safe for a file name: ASCII letters and digits, other runs as one hyphen, at most 40."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", folded).strip("-")[:40].strip("-")


def heading(sheet: Sheet) -> str:
    """The sheet's title line: "Coaching preparation sheet", worded for the voice, with the client label."""
    return sheet.wording.title + (f": {sheet.label}" if sheet.label else "")


def _quote(text: str) -> list[str]:
    """User text as a Markdown block quote, so none of it is read as a heading or a list."""
    lines = text.strip().splitlines() or [""]
    return [f"> {line}".rstrip() for line in lines]


def _inline(text: str) -> str:
    return " ".join(text.split())


def _rating(item) -> str:
    return f"{item.rating}/5 {item.label}" if item.rating else "not rated"


def markdown(sheet: Sheet) -> str:
    """The preparation sheet as Markdown: every section, in the order of the page."""
    words = sheet.wording
    title = words.title + (f": {inert(sheet.label)}" if sheet.label else "")
    out = [f"# {title}", "",
           f"Prepared on {sheet.date_text} with ILS Coach. Framework: {sheet.framework}.", ""]
    out += ["## Situation", ""]
    out += _quote(sheet.situation) if sheet.situation else ["No situation described."]
    out += ["", "## Capabilities and indicators", ""]
    if sheet.empty:
        out += ["No capabilities chosen.", ""]
    for cap in sheet.summary.capabilities:
        out += [f"### {cap.name}", "", f"Cluster: {cap.cluster}", "", cap.description, ""]
        if not cap.indicators:
            out += ["No indicators chosen.", ""]
        for item in cap.indicators:
            out.append(f"- {item.text}  ")
            out.append(f"  {words.rating}: {_rating(item)}" + (f". Evidence: {_inline(item.evidence)}"
                                                           if item.evidence else ""))
        out.append("")
    out += [f"## {words.assessment} summary", ""]
    out += [f"- {line}" for line in sheet.summary.lines]
    for title, items in (("Strengths", sheet.summary.strengths), ("Development areas", sheet.summary.development)):
        if items:
            out += ["", f"{title}:", ""]
            out += [f"- {item.text} ({item.capability}; {_rating(item)})" for item in items]
    out.append("")
    out += _stages_md("Conversation outline (GROW)", sheet.grow, words.notes)
    if sheet.sbi:
        out += _stages_md("Feedback outline (Situation, Behaviour, Impact)", sheet.sbi, words.notes)
    out += _stages_md("Goal and plan (WOOP)", sheet.woop, words.notes)
    out += ["## Development actions", ""]
    if sheet.actions:
        for mode, name in sheet.modes:
            items = [a for a in sheet.actions if a.mode == mode]
            if items:
                out += [f"### {name}", ""]
                out += [f"- {_inline(a.text)}" + (f" ({a.capability})" if a.capability else "") for a in items]
                out.append("")
    else:
        out += ["None chosen yet. Suggestions for the chosen capabilities:", ""]
        for mode, name in sheet.modes:
            items = [a for a in sheet.suggested if a.mode == mode]
            if items:
                out += [f"### {name}", ""]
                out += [f"- {a.text} ({a.capability})" for a in items]
                out.append("")
    out += ["## Resources from the APSC performance-management page", ""]
    if not sheet.resources:
        out += ["None of the page's courses or resources matched the chosen capabilities.", ""]
    for item in sheet.resources:
        out += [f"- **{item.title}** ({item.resource.kind}): {item.resource.description}  ",
                f"  Why: {'; '.join(item.reasons)}."]
    if sheet.sessions:
        out += ["", "Course sessions listed on the page (it gives dates and places but does not say which course "
                    "each session is for):", ""]
        out += [f"- {_session_text(s)}" for s in sheet.sessions]
    out += ["", "---", "", CREDIT, ""]
    return "\n".join(out)


def _session_text(session) -> str:
    r = session.resource
    state = "upcoming" if session.upcoming else "date has passed"
    return f"{r.dates}, {r.location}, {r.mode}, {r.sessions} ({state})"


def _stages_md(title: str, stages, notes: str) -> list[str]:
    out = [f"## {title}", ""]
    for stage in stages:
        out += [f"### {stage.name}", "", f"*{stage.purpose}*", "", "Prompts:", ""]
        out += [f"- {p.text}" + (f" ({p.capability})" if p.capability else "") for p in stage.prompts]
        out += ["", f"{notes}:", ""]
        out += _quote(stage.answer) if stage.answer.strip() else ["(none yet)"]
        out.append("")
    return out


def _fonts() -> dict[str, Path] | None:
    """DejaVu Sans regular and bold (fonts-dejavu-core); the oblique (fonts-dejavu-extra) when present, else the
    regular face stands in for italics."""
    for folder in FONT_DIRS:
        files = {style: folder / name for style, name in FONT_FILES.items()}
        if files[""].is_file() and files["B"].is_file():
            if not files["I"].is_file():
                files["I"] = files[""]
            return files
    return None


def pdf(sheet: Sheet) -> bytes:
    """The preparation sheet as an A4 PDF (DejaVu Sans when installed, else a core font with plain punctuation)."""
    return _Document(sheet).render()


class _Document:
    """Lays the sheet out with fpdf2: headings kept with their text, blank ruled lines where notes are empty."""

    BODY, SMALL = 10, 8.5
    GREY, INK, ACCENT = (90, 90, 90), (20, 20, 20), (0, 82, 130)

    def __init__(self, sheet: Sheet):
        from fpdf import FPDF

        self.sheet = sheet
        doc = FPDF(format="A4")
        doc.set_margins(18, 16, 18)
        doc.set_auto_page_break(True, margin=18)
        doc.set_title(heading(sheet))
        doc.set_creator("ILS Coach")
        fonts = _fonts()
        self.glyphs: set[int] = set()
        if fonts:
            for style, path in fonts.items():
                doc.add_font("DejaVu", style, str(path))
            self.family, self.unicode = "DejaVu", True
            self.glyphs = set.intersection(*(set(font.cmap) for font in doc.fonts.values()))
        else:
            self.family, self.unicode = "helvetica", False
        doc.alias_nb_pages()
        footer = " · ".join(p for p in ("ILS Coach", "coaching preparation sheet", sheet.label, sheet.date_text) if p)
        family, clean = self.family, self.clean

        def draw_footer():
            doc.set_y(-12)
            doc.set_font(family, "", 7.5)
            doc.set_text_color(120, 120, 120)
            doc.cell(0, 5, clean(footer), align="L")
            doc.set_x(doc.l_margin)
            doc.cell(0, 5, clean(f"Page {doc.page_no()} of {{nb}}"), align="R")

        doc.footer = draw_footer
        self.doc = doc
        self.measuring = False

    def clean(self, text: str) -> str:
        """Text the font can draw: characters without a glyph (emoji, say) become '?', so fpdf2 never logs them."""
        if self.unicode:
            return "".join(c if c == "\n" or ord(c) in self.glyphs else "?" for c in text)
        return text.translate(LATIN).encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str = "", size: float | None = None, colour=None):
        self.doc.set_font(self.family, style, size or self.BODY)
        self.doc.set_text_color(*(colour or self.INK))

    def keep(self, height: float):
        """Start a new page unless `height` millimetres still fit on this one."""
        if not self.measuring and self.doc.get_y() + height > self.doc.page_break_trigger:
            self.doc.add_page()

    def together(self, draw):
        """Draw a block on one page where it fits on one: measure it first, and break the page before it if needed."""
        real = self.doc
        with real.offset_rendering() as dummy:
            self.doc, self.measuring = dummy, True
            try:
                draw()
            finally:
                self.doc, self.measuring = real, False
        if dummy.page_break_triggered and real.get_y() > real.t_margin + 1:
            real.add_page()
        draw()

    def para(self, text: str, style: str = "", size: float | None = None, colour=None, indent: float = 0,
             gap: float = 1.5):
        self.font(style, size, colour)
        self.doc.set_x(self.doc.l_margin + indent)
        self.doc.multi_cell(self.doc.epw - indent, (size or self.BODY) * 0.5, self.clean(text), align="L",
                            new_x="LMARGIN", new_y="NEXT")
        self.doc.ln(gap)

    def heading(self, text: str, level: int = 1):
        size = {1: 14, 2: 11.5}[level]
        self.keep(28 if level == 1 else 20)
        self.doc.ln(3 if level == 1 else 1.5)
        self.para(text, "B", size, self.ACCENT, gap=1)
        if level == 1:
            y = self.doc.get_y()
            self.doc.set_draw_color(*self.ACCENT)
            self.doc.set_line_width(0.4)
            self.doc.line(self.doc.l_margin, y, self.doc.l_margin + self.doc.epw, y)
            self.doc.ln(2.5)

    def bullet(self, text: str, note: str = "", colour=None, indent: float = 0):
        self.font("", self.BODY, colour)
        x = self.doc.l_margin + indent
        self.doc.set_x(x)
        self.doc.cell(5, self.BODY * 0.5, self.clean("•"))
        body = text + (f" ({note})" if note else "")
        self.doc.multi_cell(self.doc.epw - indent - 5, self.BODY * 0.5, self.clean(body), align="L",
                            new_x="LMARGIN", new_y="NEXT")
        self.doc.ln(0.8)

    def lines_to_write(self, count: int = 3):
        self.doc.set_draw_color(190, 190, 190)
        self.doc.set_line_width(0.2)
        for _ in range(count):
            self.doc.ln(7)
            y = self.doc.get_y()
            self.doc.line(self.doc.l_margin, y, self.doc.l_margin + self.doc.epw, y)
        self.doc.ln(3)

    def notes(self, answer: str):
        self.keep(12 if answer.strip() else 30)
        self.font("B", self.SMALL, self.GREY)
        self.doc.cell(0, 5, self.clean(self.sheet.wording.notes), new_x="LMARGIN", new_y="NEXT")
        if answer.strip():
            self.para(answer.strip(), indent=3)
        else:
            self.lines_to_write()

    def stages(self, title: str, stages):
        for n, stage in enumerate(stages):
            def draw(stage=stage, first=n == 0):
                if first:
                    self.heading(title)
                self.heading(stage.name, 2)
                self.para(stage.purpose, "I", self.SMALL + 0.5, self.GREY)
                for prompt in stage.prompts:
                    self.bullet(prompt.text, prompt.capability, self.GREY)
                self.notes(stage.answer)

            self.together(draw)

    def capability(self, cap):
        self.heading(cap.name, 2)
        self.para(f"Cluster: {cap.cluster}", "I", self.SMALL, self.GREY, gap=0.5)
        self.para(cap.description, "", self.SMALL + 0.5)
        if cap.indicators:
            self.indicators_table(cap)
        else:
            self.para("No indicators chosen.", "I", self.SMALL)

    def indicators_table(self, cap):
        doc = self.doc
        self.font("", self.SMALL + 0.5)
        from fpdf.fonts import FontFace

        head = FontFace(emphasis="BOLD", color=self.INK, fill_color=(232, 238, 244))
        with doc.table(col_widths=(58, 17, 35), text_align=("LEFT", "LEFT", "LEFT"), headings_style=head,
                       line_height=4.4, padding=1.6, borders_layout="HORIZONTAL_LINES") as table:
            row = table.row()
            for title in ("Indicator", self.sheet.wording.rating, "Evidence or example"):
                row.cell(self.clean(title))
            for item in cap.indicators:
                row = table.row()
                row.cell(self.clean(item.text))
                row.cell(self.clean(_rating(item)))
                row.cell(self.clean(_inline(item.evidence)))
        doc.ln(3)

    def render(self) -> bytes:
        sheet, doc = self.sheet, self.doc
        doc.add_page()
        self.para(heading(sheet), "B", 18, self.ACCENT, gap=1)
        self.para(f"Prepared on {sheet.date_text} with ILS Coach · {sheet.framework}", "", self.SMALL, self.GREY,
                  gap=3)
        self.heading("Situation")
        self.para(sheet.situation or "No situation described.")
        self.heading("Capabilities and indicators")
        if sheet.empty:
            self.para("No capabilities chosen.")
        for cap in sheet.summary.capabilities:
            self.together(lambda cap=cap: self.capability(cap))
        self.heading(f"{sheet.wording.assessment} summary")
        for line in sheet.summary.lines:
            self.bullet(line)
        for title, items in (("Strengths", sheet.summary.strengths),
                             ("Development areas", sheet.summary.development)):
            if items:
                self.para(title, "B", gap=0.5)
                for item in items:
                    self.bullet(item.text, f"{item.capability}; {_rating(item)}", indent=3)
        self.stages("Conversation outline (GROW)", sheet.grow)
        if sheet.sbi:
            self.stages("Feedback outline (Situation, Behaviour, Impact)", sheet.sbi)
        self.stages("Goal and plan (WOOP)", sheet.woop)
        self.actions()
        self.resources()
        doc.ln(4)
        self.para(CREDIT, "I", 7.5, self.GREY)
        return bytes(doc.output())

    def actions(self):
        sheet = self.sheet
        self.heading("Development actions")
        items = sheet.actions or sheet.suggested
        if not sheet.actions:
            self.para("None chosen yet. Suggestions for the chosen capabilities:", "I", self.SMALL, self.GREY)
        for mode, name in sheet.modes:
            chosen = [a for a in items if a.mode == mode]
            if chosen:
                self.heading(name, 2)
                for action in chosen:
                    self.bullet(action.text, action.capability)

    def resource(self, item):
        self.para(f"{item.title} ({item.resource.kind})", "B", gap=0.5)
        self.para(item.resource.description, "", self.SMALL + 0.5, indent=3, gap=0.5)
        self.para("Why: " + "; ".join(item.reasons) + ".", "I", self.SMALL, self.GREY, indent=3, gap=2.5)

    def resources(self):
        sheet = self.sheet
        self.heading("Resources from the APSC performance-management page")
        if not sheet.resources:
            self.para("None of the page's courses or resources matched the chosen capabilities.")
        for item in sheet.resources:
            self.together(lambda item=item: self.resource(item))
        if sheet.sessions:
            self.para("Course sessions listed on the page (it gives dates and places but does not say which course "
                      "each session is for):", "B", self.SMALL + 0.5)
            for session in sheet.sessions:
                self.bullet(_session_text(session))


def _field(turn: object, *names: str):
    for name in names:
        value = turn.get(name) if isinstance(turn, Mapping) else getattr(turn, name, None)
        if value is not None:
            return value
    return None


def _shown(answer: object) -> list:
    """The capability matches an answer showed: its cards when it has them, else the top of its search result."""
    cards = _field(answer, "cards")
    if cards:
        return [_field(card, "match") or card for card in cards]
    result = _field(answer, "result") if _field(answer, "capabilities") is None else answer
    if result is None or _field(result, "off_topic"):
        return []
    return list(_field(result, "capabilities") or [])[:TRANSCRIPT_CAPABILITIES]


def transcript(messages: Iterable, day: date, framework: str = "") -> str:
    """The chat as Markdown: the user's turns quoted, and each answer as the chat wrote it (its plain-text
    version, which names the capabilities and indicators it showed); an answer without text is listed from
    its capability matches."""
    out = ["# ILS Coach chat transcript", "",
           f"Exported on {_date(day)}" + (f". Framework: {framework}." if framework else "."), ""]
    count = 0
    for turn in messages or ():
        role = _field(turn, "role") or ""
        text = _field(turn, "text", "content") or ""
        text = text if isinstance(text, str) else str(text)
        count += 1
        out += [f"## {count}. {'You' if role == 'user' else 'ILS Coach'}", ""]
        if role == "user":
            out += _quote(text)
        elif text.strip():
            out += text.strip().splitlines()
        else:
            out += _listing(_field(turn, "answer", "result"))
        out.append("")
    if count == 0:
        out += ["The chat is empty.", ""]
    return "\n".join(out)


def _listing(answer: object) -> list[str]:
    if answer is None:
        return ["(no answer)"]
    out = [_field(answer, "message") or "Capabilities that matched:"]
    for n, cap in enumerate(_shown(answer), 1):
        score = _field(cap, "score")
        out.append(f"{n}. {_field(cap, 'name')} ({_field(cap, 'cluster') or ''}"
                   + (f"; {score:.2f})" if isinstance(score, float) else ")"))
        out += [f"   - {_field(ind, 'text')}" for ind in list(_field(cap, "indicators") or [])[:3]]
    return out
