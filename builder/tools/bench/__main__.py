"""Child-process entry point: python -m builder.tools.bench STAGE ROOT SIZE."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from builder.tools.bench.stages import run_stage


def main(argv: list[str]) -> int:
    name, root, size = argv
    print(json.dumps(run_stage(name, Path(root), size)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
