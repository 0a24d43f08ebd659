"""`builder import FILE` loads no HTTP stack: requests and urllib3 are imported only for a
URL (they were a sixth of a one-answer import's time, issue #16)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

PROBE = """
import json, sys
from pathlib import Path
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
def http():
    return sorted(m for m in ("requests", "urllib3") if m in sys.modules)
result = import_source(sys.argv[1], Path(sys.argv[2]), LoadOptions())
after_import = http()
import builder.ingest.http  # what a URL's import reaches for
print(json.dumps({"answers": len(result.export.records), "after_import": after_import,
                  "for_a_url": http()}))
"""


def test_a_file_import_loads_no_http_stack(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE,
                           str(FIXTURES / "formats" / "ccadb-export.csv"),
                           str(tmp_path / "data")], check=True, capture_output=True, text=True)
    out = json.loads(done.stdout)
    assert out["answers"] > 0 and (tmp_path / "data" / "surveys").is_dir()
    assert out["after_import"] == []
    assert out["for_a_url"] == ["requests", "urllib3"]  # the probe sees them when loaded
