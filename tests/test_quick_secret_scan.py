"""The speed layer's secret scan analyzes only the lines a detector could report, and finds exactly what
detect-secrets' own scan of every line finds."""

import json
from pathlib import Path

import nbformat
import pytest

from diary.secrets import configured, scan_batch
from diary.speed import compat

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
# One line per detector and trap, in shapes that are valid nowhere.
PLANTED = [
    "aws_access_key_id = " + "AKIA" + "QX7ZK2M4PL9WN3RT",
    'aws_secret = "' + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEYab" + '"',
    "token: " + "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "slack = '" + "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx" + "'",
    "stripe_key = " + "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "-----BEGIN " + "RSA PRIVATE KEY-----",
    "jwt = " + "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "https://admin:" + "hunter2supersecret" + "@db.internal.example.com/",
    'password = "' + "Tr0ub4dor&3xyzzy" + '"',
    "db_pass: '" + "c0rrectH0rseBattery" + "'",
    "MY_API_KEY => 'q8Zp" + "Lw3Rt6Yu9Io1'",
    '"correct-horse" == user_password',
    "x = '" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" + "'",
    "y = \"" + "U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0K1Y96Qsv2Lm+31cmzaAILwyt" + "\"",
    "server at 203.0.113.77 and 8.8.4.4",
    "HF_TOKEN=" + "hf_" + "kQ3xZ9vLmN2pR7tY5wB8cD1fG4hJ6sA0eU",
    "client = OpenAI(api_key=\"" + "sk-proj-" + "Zx8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0LmNbVcXz2Qa7Ws" + "\")",
    "# pragma: allowlist nextline secret",
    'allowed = "' + "Zx8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0Lm" + '"',
    'inline = "' + "Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv" + '"  # pragma: allowlist secret',
    "telegram 123456789:" + "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "plain prose with a key idea, an apostrophe's worth, and a colon: nothing secret",
]


def corpus(tmp_path):
    """The project's own published files and test fixtures, and the planted lines in each file type."""
    files = [p for folder in ("docs", "tests/notebook-quirks", "tests/bad-inputs") for p in (ROOT / folder).rglob("*")
             if p.is_file()]
    text = "\n".join(PLANTED) + "\n"
    for name in ("planted.md", "planted.py", "planted.yaml", "planted.ini", "planted.txt", "planted.js", "planted.bib"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "sections.cfg").write_text("[server]\nhost = example.org\n" + "\n".join(
        f"key{number} = {line.split('=')[-1].strip()}" for number, line in enumerate(PLANTED)) + "\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(line, outputs=[nbformat.v4.new_output("stream", text=line)])
                for line in PLANTED]
    (tmp_path / "planted.ipynb").write_text(json.dumps(nb))
    return files + sorted(tmp_path.iterdir())


def test_the_quick_scan_finds_what_the_full_scan_finds(tmp_path):
    items = [(str(path), str(path)) for path in corpus(tmp_path)]
    full = scan_batch(items, quick=False)
    assert sum(map(len, full)) > len(PLANTED)  # the planted lines are found, in every file type
    assert scan_batch(items, quick=True) == full


def test_every_detector_is_one_the_quick_scan_knows():
    with configured():
        candidates = compat.secret_candidates("notes.md")
    assert candidates is not None and len(candidates) > 30
    guarded = [pattern.pattern for guards, pattern in candidates if guards]
    assert any("AKIA" in pattern for pattern in guarded)


@pytest.mark.parametrize("pattern, line, guarded", [
    (r"(api_?key|pass(word)?)\s*=\s*(['\"])\w+\3", "my_password = 'x1'", True),
    (r"(?:A3T[A-Z0-9]|AKIA|ASIA)[0-9A-Z]{16}", "AKIAQX7ZK2M4PL9WN3RT", True),
    (r"(?i)token", "TOKEN", True),
    (r"\bhf_[A-Za-z0-9]{30,}\b", "hf_abc", True),
])
def test_a_guard_never_rejects_a_line_its_pattern_matches(pattern, line, guarded):
    import re

    compiled = re.compile(pattern)
    guards = compat._guards(compiled)
    assert bool(guards) == guarded
    if compiled.search(line):
        assert all(guard.search(line) for guard in guards)
