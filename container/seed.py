"""`make container-test SEED=1`: copy this checkout's tuned model from the tuned-model cache into the build context."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import settings
from corpus.model import load as load_framework
from index import ready, tune


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m container.seed FOLDER", file=sys.stderr)
        return 2
    config = settings.get()
    exemplars, exemplars_sha = ready.tuning_for(config)
    if not exemplars:
        print("container seed: tuning is off or there are no exemplars; nothing to copy")
        return 0
    wanted = tune.key(config.model, load_framework(config.framework), exemplars_sha, tune.Recipe())
    source = tune.folder_for(config.cache_dir, wanted)
    if tune.read(source, wanted) is None:
        print(f"container seed: no whole tuned model with key {wanted} in {config.cache_dir}; the build will tune")
        return 0
    target = tune.folder_for(Path(args[0]), wanted)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    print(f"container seed: copied the tuned model {wanted} from {config.cache_dir} into the build context")
    return 0


if __name__ == "__main__":
    sys.exit(main())
