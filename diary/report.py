"""The execution report: written by `make notebooks`, read by notebook pages and the report page."""

import json
from pathlib import Path

REPORT = "execution-report.json"


def load(docs_dir):
    """The committed report, {notebook path relative to docs/: record}; empty if there is none."""
    path = Path(docs_dir) / REPORT
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["notebooks"]
