"""Command line search: `python -m retrieval search "SITUATION" [--top N] [--json]`, or situations on stdin."""

from __future__ import annotations

import json
import os
import sys

import settings
from cli import Parser
from coach import environment, load_coach
from errors import CoachError
from retrieval.results import SearchResult
from retrieval.text import InputError, prepare

BATCH = 64


def render(result: SearchResult, why: dict[str, tuple[str, ...]] | None = None) -> str:
    """Human-readable ranking: capability, cluster, score, the best indicators (and, with `why`, their reasons)."""
    lines = []
    for notice in result.notices:
        lines.append(f"note: {notice}")
    if result.off_topic:
        lines.append("This does not look like a work situation the framework covers "
                     f"(confidence {result.confidence:.2f} < {result.threshold:.2f}). Closest anyway:")
    for rank, cap in enumerate(result.capabilities, 1):
        lines.append(f"{rank}. {cap.name}  [{cap.cluster}]  score {cap.score:.3f}")
        for ind in cap.indicators:
            lines.append(f"     {ind.score:.3f}  {ind.text}")
            if why is not None and why.get(ind.id):
                lines.append("            because of: " + ", ".join(f"“{w}”" for w in why[ind.id]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a closed pipe or Ctrl+C ends it quietly, never with a traceback."""
    environment()
    _tolerant_streams()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _tolerant_streams() -> None:
    """Undecodable bytes on stdin become U+FFFD, and text the terminal cannot show is replaced, not fatal."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _main(argv: list[str] | None) -> int:
    parser = Parser(prog="python -m retrieval", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    search = sub.add_parser("search", help="rank capabilities for a situation (or for each stdin line)")
    search.add_argument("situation", nargs="?", help="the situation; omit to read one per line from stdin")
    search.add_argument("--top", type=int, default=None, help="number of capabilities (default: ILS_COACH_TOP)")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument("--cluster", action="append", help="only capabilities of this cluster id (repeatable)")
    search.add_argument("--capability", action="append", help="only this capability id (repeatable)")
    search.add_argument("--model", help="sentence-transformers model name or path (default: ILS_COACH_MODEL)")
    search.add_argument("--explain", action="store_true",
                        help="add to each indicator the words of the situation that carry the match (JSON: \"why\")")
    args = parser.parse_args(argv)
    try:
        config = settings.get()
    except settings.SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    top = config.top if args.top is None else args.top
    if top < 1:
        print("error: --top must be at least 1", file=sys.stderr)
        return 2
    if args.situation is not None:
        try:
            prepare(args.situation, config.max_chars)
        except InputError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    try:
        retriever = load_coach(config, model=args.model, safety=False,
                               log=lambda line: print(f"note: {line}", file=sys.stderr, flush=True)).retriever
    except CoachError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for notice in retriever.notices:
        print(f"note: {notice}", file=sys.stderr)
    options = {"top": top, "clusters": args.cluster, "capabilities": args.capability}
    try:
        if args.situation is not None:
            result = retriever.search(args.situation, **options)
            why = _why_for(retriever, result) if args.explain else None
            print(json.dumps(result.to_dict(why=why), ensure_ascii=False) if args.json else render(result, why))
            return 0
        return batch(retriever, sys.stdin, options, explain=args.explain)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _why_for(retriever, result: SearchResult) -> dict[str, tuple[str, ...]]:
    """The reason words of every indicator in a result (the same words the chat shows)."""
    ids = [ind.id for cap in result.capabilities for ind in cap.indicators]
    return retriever.evidence.why(retriever.encoder, (result.query,), ids)


def batch(retriever, stream, options: dict, explain: bool = False) -> int:
    """One JSON object per input line, in order; a line that cannot be searched gets an 'error' field."""
    lines = []
    status = 0

    def flush():
        valid = [(n, text) for n, text in enumerate(lines) if _ok(text, retriever.max_chars)]
        results = dict(zip([n for n, _ in valid], retriever.search_many([t for _, t in valid], **options),
                           strict=True)) if valid else {}
        for n, text in enumerate(lines):
            if n in results:
                out = results[n].to_dict(why=_why_for(retriever, results[n]) if explain else None)
            else:
                out = {"query": _printable(text), "error": _why(text, retriever.max_chars), "off_topic": None,
                       "capabilities": []}
            print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0 if len(valid) == len(lines) else 1

    for line in stream:
        lines.append(line.rstrip("\n"))
        if len(lines) >= BATCH:
            status |= flush()
            lines.clear()
    if lines:
        status |= flush()
    return status


def _printable(text: str) -> str:
    """The line as valid UTF-8 (lone surrogates replaced) for echoing back in the JSON."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _ok(text: str, max_chars: int) -> bool:
    return not _why(text, max_chars)


def _why(text: str, max_chars: int) -> str:
    try:
        prepare(text, max_chars)
    except InputError as err:
        return str(err)
    return ""


if __name__ == "__main__":
    sys.exit(main())
