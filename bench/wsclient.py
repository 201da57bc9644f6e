"""A small Streamlit client for the load benchmark and the tests: the browser's websocket protocol (protobuf).

One `Session` is one browser tab: it connects to `/_stcore/stream`, asks for script runs with widget values (a chat
message, a button press, another page) and collects what the server sends back until the run finishes.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import websockets
from google.protobuf.json_format import MessageToDict
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RERUN = "FINISHED_EARLY_FOR_RERUN"


def run(coroutine, timeout: float):
    """Run a coroutine to the end in a thread of its own (the test's thread may already hold an event loop,
    Playwright's sync API for one), within `timeout` seconds."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coroutine, timeout)).result()


class ProtocolError(RuntimeError):
    """The server sent something a browser would not expect, or nothing in time."""


def strings(value) -> list[str]:
    """Every string inside a nested dict/list (an element as a dict), depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@dataclass
class Run:
    """What one script run sent: elements and blocks in order (as dicts), and how long it took."""

    elements: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    status: str = ""
    pages: list[dict] = field(default_factory=list)

    def of(self, kind: str) -> list[dict]:
        """The elements of one kind ('markdown', 'text', 'button', 'chatInput', 'exception', ...)."""
        return [el[kind] for el in self.elements if kind in el]

    @property
    def text(self) -> str:
        """All text the run sent, one string per line (labels, bodies, captions...)."""
        return "\n".join(s for el in self.elements for s in strings(el))

    def after(self, needle: str) -> Run:
        """The elements after the last one whose text contains `needle` (say, the echo of a chat message)."""
        marks = [n for n, el in enumerate(self.elements) if any(needle in s for s in strings(el))]
        return Run(self.elements[marks[-1] + 1:] if marks else [], self.seconds, self.status, self.pages)

    def first(self, names) -> str | None:
        """Which of `names` the run mentions first, in element order."""
        for el in self.elements:
            found = [(s.find(name), name) for s in strings(el) for name in names if name in s]
            if found:
                return min(found)[1]
        return None

    @property
    def exceptions(self) -> list[dict]:
        return self.of("exception")

    def widget(self, kind: str, label: str | None = None, key: str | None = None) -> dict:
        """The first widget of a kind with this label and whose key starts with `key` (either may be None)."""
        for el in self.of(kind):
            own_key = el.get("id", "").split("-", 2)[-1]
            if (label is None or el.get("label") == label) and (key is None or own_key.startswith(key)):
                return el
        raise ProtocolError(f"no {kind} labelled {label!r} (key {key!r}) in this run")


class Session:
    """One browser session. Use `async with Session(url) as s:` then `await s.start()`.

    `headers` go with the websocket's opening request (a cookie, say). `resume` is the id of a session this
    client had before: as a browser does when its websocket reconnects, it asks the server to carry on with that
    session (its state kept) instead of starting a new one; `session_id` is the id the server gave."""

    def __init__(self, url: str, timeout: float = 300.0, headers: dict | None = None, resume: str = ""):
        self.url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.timeout = timeout
        self.headers = headers or {}
        self.resume = resume
        self.session_id = ""
        self.page_hash = ""
        self.last = Run()
        self.pages: list[dict] = []
        self._ws = None

    async def __aenter__(self) -> Session:
        # Streamlit reads the subprotocol list as: protocol, XSRF token, session to resume.
        protocols = ["streamlit", "none", self.resume] if self.resume else ["streamlit"]
        self._ws = await websockets.connect(self.url, subprotocols=protocols, max_size=None,
                                            open_timeout=self.timeout, additional_headers=self.headers)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def start(self) -> Run:
        """The first run, as when a tab opens the app."""
        return await self.rerun()

    async def rerun(self, widgets: list[WidgetState] = (), page_hash: str | None = None) -> Run:
        """Ask for a script run with these widget values and wait until it has finished."""
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash if page_hash is None else page_hash
        for state in widgets:
            msg.rerun_script.widget_states.widgets.append(state)
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run()
        deadline = started + self.timeout
        while True:
            try:
                raw = await asyncio.wait_for(self._ws.recv(), max(0.1, deadline - time.perf_counter()))
            except TimeoutError:
                raise ProtocolError(f"no end of script run within {self.timeout:.0f} s") from None
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "ref_hash":
                raise ProtocolError("server sent a cached-message reference this client never asked for")
            if kind == "new_session" and fwd.new_session.initialize.session_id:
                self.session_id = fwd.new_session.initialize.session_id
            if kind == "navigation":
                run.pages = self.pages = MessageToDict(fwd.navigation).get("appPages", [])
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "delta":
                delta = MessageToDict(fwd.delta)
                for part in ("newElement", "addBlock"):
                    if part in delta:
                        run.elements.append(delta[part])
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                if status != RERUN:
                    run.status = status
                    run.seconds = time.perf_counter() - started
                    self.last = run
                    return run

    async def chat(self, text: str) -> Run:
        """Type `text` into the chat box and press Enter."""
        box = self.last.widget("chatInput")
        state = WidgetState(id=box["id"])
        state.chat_input_value.data = text
        return await self.rerun([state])

    async def click(self, label: str | None = None, key: str | None = None) -> Run:
        """Press a button of the last run, found by its label or the start of its key."""
        button = self.last.widget("button", label, key)
        return await self.rerun([WidgetState(id=button["id"], trigger_value=True)])

    async def goto(self, url_path: str) -> Run:
        """Open another page of the app (as the sidebar navigation does)."""
        for page in self.pages:
            if page.get("urlPathname") == url_path:
                return await self.rerun(page_hash=page["pageScriptHash"])
        raise ProtocolError(f"no page {url_path!r} among {[p.get('urlPathname') for p in self.pages]}")
