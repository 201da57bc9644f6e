"""Settings for ILS Coach: every value has a default and an environment variable that overrides it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from errors import CoachError

ROOT = Path(__file__).resolve().parent
DEFAULT_MODEL = "all-MiniLM-L6-v2"


class SettingsError(CoachError, ValueError):
    """A setting (an ILS_COACH_* variable) has a value that cannot be used; the message names it."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as err:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from err


def _ranged(name: str, default: int, low: int, high: int) -> int:
    value = _int(name, default)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be from {low} to {high}, not {value}")
    return value


def default_cache() -> Path:
    """Where tuned models are kept unless ILS_COACH_CACHE_DIR says otherwise: ils-coach under the user's cache
    folder ($XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache") / "ils-coach"


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports it)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0 (on or off), not {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with `Settings.from_env()`."""

    model: str
    framework: Path
    exemplars: Path
    offtopic: Path
    resources: Path
    index_dir: Path
    top: int
    max_chars: int
    threads: int
    encode_threads: int = 2
    questions: Path = ROOT / "corpus" / "data" / "questions.json"
    tune: bool = True
    glossary: Path = ROOT / "corpus" / "data" / "glossary.json"
    indicator_exemplars: Path = ROOT / "corpus" / "data" / "indicator-exemplars.json"
    distress: Path = ROOT / "corpus" / "data" / "distress.json"
    cache_dir: Path = field(default_factory=default_cache)
    workers: int = field(default_factory=cores)
    port: int = 8501
    address: str = "127.0.0.1"
    haproxy: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        data = ROOT / "corpus" / "data"
        return cls(
            model=_env("ILS_COACH_MODEL", DEFAULT_MODEL),
            framework=Path(_env("ILS_COACH_FRAMEWORK", str(data / "ils-ses-band-2.json"))),
            exemplars=Path(_env("ILS_COACH_EXEMPLARS", str(data / "exemplars.json"))),
            offtopic=Path(_env("ILS_COACH_OFFTOPIC", str(data / "offtopic.json"))),
            resources=Path(_env("ILS_COACH_RESOURCES", str(data / "apsc-resources.json"))),
            index_dir=Path(_env("ILS_COACH_INDEX_DIR", str(ROOT / "index" / "data"))),
            top=_int("ILS_COACH_TOP", 3),
            max_chars=_int("ILS_COACH_MAX_CHARS", 4000),
            threads=_int("ILS_COACH_THREADS", 2),
            encode_threads=_ranged("ILS_COACH_ENCODE_THREADS", 2, 1, 64),
            questions=Path(_env("ILS_COACH_QUESTIONS", str(data / "questions.json"))),
            tune=_flag("ILS_COACH_TUNE", True),
            glossary=Path(_env("ILS_COACH_GLOSSARY", str(data / "glossary.json"))),
            indicator_exemplars=Path(_env("ILS_COACH_INDICATOR_EXEMPLARS", str(data / "indicator-exemplars.json"))),
            distress=Path(_env("ILS_COACH_DISTRESS", str(data / "distress.json"))),
            cache_dir=Path(_env("ILS_COACH_CACHE_DIR", str(default_cache()))).expanduser(),
            workers=_ranged("ILS_COACH_WORKERS", cores(), 1, 64),
            port=_ranged("ILS_COACH_PORT", 8501, 1, 65535),
            address=_env("ILS_COACH_ADDRESS", "127.0.0.1"),
            haproxy=_env("ILS_COACH_HAPROXY", ""),
        )


def get() -> Settings:
    """The settings in force now (read from the environment on every call)."""
    return Settings.from_env()
