"""Command line for the index: `python -m index build [--model M] [--force]` and `python -m index info`."""

from __future__ import annotations

import json
import sys

import settings
from cli import Parser
from coach import environment
from corpus.model import load as load_framework
from errors import CoachError
from index import ready, store


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="embed the framework and write the index (if missing or stale)")
    build.add_argument("--model", help="sentence-transformers model name or path (default: ILS_COACH_MODEL)")
    build.add_argument("--force", action="store_true",
                       help="rebuild (and re-tune the model) even if the saved index is current")
    info_cmd = sub.add_parser("info", help="print the manifest and whether the index is current")
    info_cmd.add_argument("--model", help="model to compare against (default: ILS_COACH_MODEL)")
    args = parser.parse_args(argv)
    environment()
    try:
        config = settings.get()
        model = args.model or config.model
        framework = load_framework(config.framework)
        folder = store.folder_for(config.index_dir, framework)
        if args.command == "info":
            return info(folder, ready.wanted(framework, config, model))
        loaded = ready.load(framework, config, model=model, force=args.force, progress=sys.stderr.isatty(),
                            log=lambda line: print(line, file=sys.stderr, flush=True))
        index = loaded.index
        state = "built" if index.notices else "already current"
        prepare(framework, loaded, config)
    except OSError as err:
        print(f"error: {err.strerror or err} ({err.filename or 'the index folder'})", file=sys.stderr)
        return 1
    except CoachError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for notice in index.notices:
        print(notice, file=sys.stderr)
    print(f"index {state}: {folder} ({index.manifest['count']} items, model {index.manifest['model']}, "
          f"{index.manifest['index_type']})")
    return 0


def prepare(framework, loaded: ready.Ready, config: settings.Settings) -> None:
    """Make a Retriever once, so what it works out from the index (its state and off-topic rule, see
    retrieval.derived and retrieval.kept) is saved beside the index and later starts only read it."""
    from retrieval.engine import Retriever
    from retrieval.evidence import load_glossary

    Retriever(framework, loaded.index, loaded.encoder, max_chars=config.max_chars,
              glossary=load_glossary(config.glossary))


def info(folder, want: dict) -> int:
    try:
        manifest = store.read_manifest(folder)
    except store.IndexProblem as problem:
        print(f"{problem}. Build it with `python -m index build`.")
        return 1
    shown = {k: v for k, v in manifest.items() if k != "items"}
    shown["items"] = f"{len(manifest.get('items') or [])} rows"
    print(json.dumps(shown, indent=2))
    stale = store.staleness(manifest, want)
    try:
        if not stale:
            store.load(folder, want)
    except store.IndexProblem as problem:
        stale = [str(problem)]
    print("status: current" if not stale else f"status: stale ({'; '.join(stale)})")
    return 0 if not stale else 2


if __name__ == "__main__":
    sys.exit(main())
