"""Find secrets in what the site would publish, with detect-secrets, and personal data in notebook outputs.

Used by the build (a secret fails it, personal data is reported) and by
`scripts/scan_secrets.py` (the pre-commit hook). Text files are scanned as
they are; a notebook is scanned cell by cell, source and text outputs, so a
finding names the cell. Findings never carry the secret itself. A finding is
allowed by `pragma: allowlist secret` on its line or by an entry in the
committed, reviewed `.secrets.baseline`.

A notebook's outputs are full of ids that look random and are not secret: the
commit a model was downloaded at, a file's SHA-256, a run's UUID. A high-entropy
hex string shaped like such an id (diary/identifiers.py) is not a finding when
its line, or the cell that printed it, says what it is and nothing there speaks
of keys or tokens. Every provider's token format is still caught wherever it is.
"""

import contextlib
import hashlib
import json
import logging
import tempfile
from functools import partial
from dataclasses import asdict, dataclass
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.__version__ import VERSION
from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.settings import default_settings

from diary import detectors, identifiers, personal
from diary.speed import compat
from diary.speed.workers import Workers, done
from diary.report import REPORT

hash_secret = PotentialSecret.hash_secret

log = logging.getLogger("mkdocs.plugins.diary")

BASELINE = ".secrets.baseline"
BINARY = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".pdf", ".woff", ".woff2", ".ttf", ".zip", ".gz"}
TEXT_OUTPUTS = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")
# Below this many files per process, starting one costs more than it saves.
FILES_PER_WORKER = 16


@dataclass(frozen=True)
class Finding:
    file: str       # as the author knows it, e.g. docs/langchain/x.ipynb
    where: str      # "line 12" or "cell 3 output, line 2"
    kind: str       # detect-secrets' secret type, or a kind of personal data (diary/personal.py)
    secret_hash: str  # for personal data, a hash of the kind and place: the baseline never allows it
    personal: bool = False

    def __str__(self):
        return f"{self.file}: {self.where}: {'personal data' if self.personal else 'possible secret'} ({self.kind})"


def allowed_hashes(project):
    """{(file, hashed secret)} that the reviewed baseline allows."""
    path = Path(project) / BASELINE
    if not path.exists():
        return set()
    results = json.loads(path.read_text(encoding="utf-8")).get("results", {})
    return {(name, item["hashed_secret"]) for name, items in results.items() for item in items}


def scan(paths, project, memory=None, digest=None, quick=False):
    """Findings for each path (named relative to `project`), less what the baseline allows: secrets
    anywhere, and personal data in notebook outputs.

    `memory` (get/put by a file's name and content) keeps the findings of files
    scanned before; a file whose content is unchanged is not scanned again.
    `digest(path)` names a file's content for it (by default, a hash of it). `quick` (the speed
    layer's, when the installed detect-secrets is the version it was tested with) has detect-secrets
    analyze only the lines one of its plugins could report: the same findings, a tenth of the time.
    """
    workers = Workers()
    try:
        return start(paths, project, workers, memory, digest, quick).findings()
    finally:
        workers.close()


def start(paths, project, workers, memory=None, digest=None, quick=False):
    """The scan `scan` makes, under way: much to scan (a cold cache) goes to `workers`
    (speed/workers.py), and the caller goes on; Scan.findings() waits for it."""
    project = Path(project)
    digest = digest or _digest
    work = [(path, _shown(path, project), digest(path) if memory else None) for path in map(Path, paths)]
    found, todo = {}, []
    for path, shown, digest in work:
        kept = memory.get(file=shown, content=digest) if memory else None
        if kept is None:
            todo.append((str(path), shown, digest))
        else:
            found[shown] = [Finding(**item) for item in kept]
    batches = _start_all([(path, shown) for path, shown, _ in todo], quick, workers)
    return Scan(project, work, found, todo, memory, batches)


class Scan:
    """A scan under way: the files not kept in memory are being scanned, batch by batch."""

    def __init__(self, project, work, found, todo, memory, batches):
        self.project, self.work, self.found, self.todo, self.memory = project, work, found, todo, memory
        self.batches = batches  # futures, each with the findings of a few files

    def findings(self):
        """Every finding, less what the baseline allows, once the scan is done."""
        scanned = [findings for batch in self.batches for findings in batch.result()]
        for (_, shown, digest), findings in zip(self.todo, scanned):
            self.found[shown] = findings
            if self.memory:
                self.memory.put([asdict(finding) for finding in findings], file=shown, content=digest)
        allowed = allowed_hashes(self.project) | recorded_digests(self.project)
        return [f for _, shown, _ in self.work for f in self.found[shown] if (f.file, f.secret_hash) not in allowed]


def recorded_digests(project):
    """{(file, hashed secret)} for the content hashes `make notebooks` writes into the execution
    report (what each run read, diary/freshness.py): high-entropy hex by design, and no secret."""
    path = Path(project) / "docs" / REPORT
    try:
        records = json.loads(path.read_text(encoding="utf-8")).get("notebooks", {})
    except (OSError, ValueError, AttributeError):
        return set()
    digests = set()
    for record in records.values():
        inputs = record.get("inputs") if isinstance(record, dict) else None
        if isinstance(inputs, dict):
            digests.add(inputs.get("code"))
            digests.update((inputs.get("files") or {}).values())
    name = f"docs/{REPORT}"
    return {(name, hash_secret(value)) for value in digests if isinstance(value, str)}


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _start_all(todo, quick, workers):
    """Futures of the findings per (path, shown), batch by batch: on the workers when there is much
    to scan, else found here and now."""
    if min(workers.size, len(todo) // FILES_PER_WORKER) < 2:
        return [done(scan_batch(todo, quick))]
    # Each batch sets detect-secrets up itself: under `spawn` (macOS, Windows)
    # a worker starts with none of this process's settings.
    log.debug(f"scanning {len(todo)} files for secrets on {workers.size} processes")
    return [workers.submit(partial(scan_batch, quick=quick), todo[start:start + 8]) for start in range(0, len(todo), 8)]


def scan_batch(items, quick=False):
    """[[Finding]] for each (path, shown), with the site's detectors switched on."""
    with configured():
        return [_scan_one(Path(path), shown, quick) for path, shown in items]


@contextlib.contextmanager
def configured():
    """detect-secrets set up as the site scans: its own detectors and the site's, every filter but one."""
    with default_settings() as settings:
        settings.configure_plugins([{"name": name, "path": f"file://{detectors.__file__}"} for name in detectors.NAMES])
        get_mapping_from_secret_type_to_class.cache_clear()  # so it sees the detectors just added
        # This heuristic drops any line that looks like a call, which hides exactly the
        # leak a notebook makes: `Client(api_key="sk-...")`.
        settings.disable_filters("detect_secrets.filters.heuristic.is_indirect_reference")
        yield


def _shown(path, project):
    try:
        return path.resolve().relative_to(project.resolve()).as_posix()
    except ValueError:
        return str(path)


def record_in_baseline(findings, project):
    """Allow these findings from now on: write them into the baseline, keeping its other settings."""
    path = Path(project) / BASELINE
    baseline = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"version": VERSION}
    results = baseline.setdefault("results", {})
    for finding in findings:
        entries = results.setdefault(finding.file, [])
        if all(entry["hashed_secret"] != finding.secret_hash for entry in entries):
            entries.append({"type": finding.kind, "filename": finding.file,
                            "hashed_secret": finding.secret_hash, "is_verified": False, "where": finding.where})
    path.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _scan_one(path, shown, quick):
    if path.suffix.lower() in BINARY:
        return []
    if path.suffix == ".ipynb":
        return _scan_notebook(path, shown, quick)
    try:
        path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Finding(shown, f"line {line}", kind, digest) for line, kind, digest, value in _scan_file(path, quick)
            if not identifiers.is_identifier(kind, value, _line(lines, line))]


def _scan_file(path, quick):
    """(line, type, hash, the secret) of what detect-secrets finds in a file, in order. `quick` has
    it analyze only the lines one of its plugins could report (the speed layer's way, same result)."""
    if quick:
        secrets = dict.fromkeys(compat.scan_candidate_lines(str(path)))  # the first of equal ones, as a set keeps
    else:
        collection = SecretsCollection()
        collection.scan_file(str(path))
        secrets = [secret for _, secret in collection]
    found = {(secret.line_number, secret.type, secret.secret_hash, secret.secret_value) for secret in secrets}
    return sorted(found, key=lambda item: item[:3])


def _line(lines, number):
    return lines[number - 1] if 0 < number <= len(lines) else ""


def notebook_parts(notebook):
    """(cell number, label, text, the cell's source) for each cell's source and each of its text outputs."""
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        source = str(_joined(cell.get("source", "")))
        yield number, "", source, source
        for output in cell.get("outputs", []):
            texts = [_joined(output.get("text", ""))]
            texts += [_joined(output.get("data", {}).get(mime, "")) for mime in TEXT_OUTPUTS]
            texts += [_joined(output.get("traceback", []))]
            for text in filter(None, texts):
                yield number, " output", text if isinstance(text, str) else json.dumps(text), source


def _joined(value):
    return "".join(value) if isinstance(value, list) else value


def _scan_notebook(path, shown, quick):
    """Scan a notebook's cells through one plain-text shadow file, mapping lines back to cells."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        return []  # the notebook checks report unreadable notebooks themselves
    origin, lines, findings = {}, [], []
    for number, label, text, source in notebook_parts(notebook):
        place = f"cell {number}{label}"
        part = str(text).splitlines()
        for offset, line in enumerate(part, start=1):
            lines.append(line)
            origin[len(lines)] = (f"{place}, line {offset}", source)
        if label:
            findings += [Finding(shown, f"{place}, {where}", kind, hash_secret(f"{kind}\0{place}\0{where}"), True)
                         for where, kind in personal.find(part)]
    with tempfile.TemporaryDirectory() as scratch:
        shadow = Path(scratch) / (path.stem + ".txt")
        shadow.write_text("\n".join(lines) + "\n", encoding="utf-8")
        secrets = [Finding(shown, origin[line][0], kind, digest) for line, kind, digest, value in _scan_file(shadow, quick)
                   if not identifiers.is_identifier(kind, value, _line(lines, line), origin[line][1])]
    return secrets + findings
