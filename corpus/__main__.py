"""Command line for the corpus: `python -m corpus build` parses the source texts into corpus/data/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cli import Parser
from corpus import model, parse, resources
from errors import CoachError

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
DATA = HERE / "data"


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def build(out: Path = DATA) -> list[Path]:
    """Parse both source texts and write the framework and resources files."""
    source = "corpus/source/ils-ses-band-2-profile.txt"
    profile = parse.parse_file(SOURCE / "ils-ses-band-2-profile.txt", source=source)
    framework_path = out / f"{profile['id']}.json"
    write_json(framework_path, profile)
    model.load(framework_path)
    page = SOURCE / "apsc-performance-management-page.txt"
    resources_path = out / "apsc-resources.json"
    document = resources.parse_page(page.read_text(encoding="utf-8"), source=f"corpus/source/{page.name}")
    write_json(resources_path, document)
    return [framework_path, resources_path]


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m corpus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="parse corpus/source/ into corpus/data/")
    check = sub.add_parser("check", help="validate a framework JSON file")
    check.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for path in build():
                print(f"wrote {path.relative_to(HERE.parent)}")
        else:
            fw = model.load(args.path)
            print(f"{fw.title}: {len(fw.clusters)} clusters, {len(fw.capabilities)} capabilities, "
                  f"{len(fw.indicators)} indicators")
    except (CoachError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
