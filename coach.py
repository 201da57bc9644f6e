"""The composition root: the settings, retriever (framework, index, encoder), safety net and authored data, once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import settings as settings_module

if TYPE_CHECKING:
    from retrieval.engine import Retriever
    from safety.guard import Guard


def environment() -> None:
    """Process settings every entry point makes before anything loads a model: the Hugging Face libraries stay
    offline unless the person said otherwise, ONNX Runtime sends no usage reports, tokenizers starts no threads
    of its own, and idle OpenMP threads sleep instead of spinning on a core another process needs."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"


@dataclass(frozen=True)
class Coach:
    """Everything a front end (the app's pages, a command) answers with. Read-only once loaded; shared."""

    settings: settings_module.Settings
    retriever: Retriever
    guard: Guard
    questions: dict = field(default_factory=dict)
    notices: tuple[str, ...] = ()

    @property
    def framework(self):
        return self.retriever.framework

    @property
    def encoder(self):
        return self.retriever.encoder


def load_coach(config: settings_module.Settings | None = None, *, retriever: Retriever | None = None,
               model: str | None = None, safety: bool = True, background: bool = True, log=None) -> Coach:
    """Load what the settings name, or use what is given (a test's fake `retriever`).

    `safety=False` leaves the safety net to its patterns (a command that never shows care replies need not fit
    the detector); `background` fits the detector on a worker thread, so the first answer does not wait for it.
    Raises errors.CoachError (the framework, model or index cannot be used; a file the index needs cannot be
    written); authored questions that cannot be read are a notice, since answers can do without them.
    """
    from conversation.questions import QuestionsError
    from conversation.questions import load as load_questions
    from index.store import IndexProblem
    from retrieval.engine import Retriever
    from safety.guard import Guard

    config = config or settings_module.get()
    if retriever is None:
        try:
            retriever = Retriever.from_settings(config, model=model, log=log)
        except OSError as err:
            raise IndexProblem(f"{err.strerror or err} ({err.filename or config.index_dir})") from None
    guard = Guard.from_index(retriever.index, retriever.encoder, background=background) if safety else Guard()
    notices = list(retriever.notices)
    try:
        questions = load_questions(config.questions)
    except (QuestionsError, OSError) as err:
        questions = {}
        notices.append(f"The coaching questions could not be read ({err}); answers suggest questions built from "
                       "the indicators instead. Check ILS_COACH_QUESTIONS.")
    return Coach(config, retriever, guard, questions, tuple(notices))
