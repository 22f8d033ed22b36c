"""Ids in outputs are not secrets, personal data in outputs is named, and every planted secret is still caught."""

import json
from pathlib import Path

import nbformat
import pytest

from diary.identifiers import is_identifier
from diary.personal import KINDS, allowed, find, kinds_in
from diary.secrets import scan
from diary.sources import DiaryFileError

QUIRKS = Path(__file__).parent / "notebook-quirks"
HEX = "Hex High Entropy String"
COMMIT = "607a30d783dfa663caf39e06633721c8d4cfcd7e"
SHA256 = "a3f5c6e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6"
# A key in the shape of Weights & Biases' (40 hex digits, the length of a commit); valid nowhere.
FAKE_WANDB = "3f9a1c" + "7e2b8d4f6a0c5e9b1d3f7a2c8e4b6d0f9a1c7e3b"[:34]
FAKE_HF = "hf_" + "kQ3xZ9vLmN2pR7tY5wB8cD1fG4hJ6sA0eU"


@pytest.mark.unit
@pytest.mark.parametrize("value, line, source", [
    (COMMIT, f"'{COMMIT}'", "config._commit_hash"),                        # the cell says what it printed
    (COMMIT, f"('{COMMIT}', datetime.datetime(2024, 2, 19))", "info.sha, info.last_modified"),
    (COMMIT, f'model = AutoModel.from_pretrained("gpt2", revision="{COMMIT}")', ""),
    (SHA256, f"sha256: '{SHA256}'", ""),
    ("64b0c2b5e1f2a3b4c5d6e7f8", "'id': '64b0c2b5e1f2a3b4c5d6e7f8',", "whoami()"),
    ("5d1b2c3e4f5a6b7c8d9e0f1a2b3c4d5e", 'etag "5d1b2c3e4f5a6b7c8d9e0f1a2b3c4d5e"', ""),
])
def test_ids_that_say_what_they_are_are_not_secrets(value, line, source):
    assert is_identifier(HEX, value, line, source)


@pytest.mark.unit
@pytest.mark.parametrize("kind, value, line, source", [
    (HEX, COMMIT, f"'{COMMIT}'", "x"),                                        # nothing says what it is
    (HEX, FAKE_WANDB, f"'{FAKE_WANDB}'", "os.environ['WANDB_API_KEY']"),      # a key the length of a commit
    (HEX, FAKE_WANDB, f"{{'commit': 'main', 'api_key': '{FAKE_WANDB}'}}", ""),
    (HEX, COMMIT, f'token = "{COMMIT}"  # revision', ""),
    (HEX, COMMIT[:36], f"'{COMMIT[:36]}' commit", ""),                         # no id has this length
    ("Secret Keyword", COMMIT, f"revision_secret = '{COMMIT}'", ""),           # another detector: never an id
    ("Hugging Face Token", FAKE_HF, f"revision = '{FAKE_HF}'", ""),
])
def test_anything_else_stays_a_possible_secret(kind, value, line, source):
    assert not is_identifier(kind, value, line, source)


@pytest.mark.unit
@pytest.mark.parametrize("line, kinds", [
    ("'email': 'ashioya.jotham@mail.test',", ["e-mail address"]),
    (" 'fullname': 'Ashioya Jotham',", ["account details"]),
    ("uid=1000(ashioya) gid=1000(ashioya) groups=1000(ashioya)", ["account details"]),
    ('File "/home/ashioya/research/train.py", line 3', ["home folder path"]),
    ("/Users/ashioya/Library/Caches/pip", ["home folder path"]),
    (r"C:\Users\ashioya\AppData\Local\Temp\tmp1.csv", ["home folder path"]),
    ("saving to /content/drive/MyDrive/experiments/gpt2-eval.csv", ["Google Drive path"]),
    ("git@github.com:ashioyajotham/ai_research.git", []),                     # names a host, not a person
    ("Contact: someone@example.org", []),                                      # documentation's placeholder
    ("/home/jovyan/work/data.csv", []),                                        # Jupyter's image user
    ("/root/.cache/huggingface/hub/models--gpt2", []),                         # Colab's machine, not the author
    ("Mounted at /content/drive", []),
    ("x @ y.T", []),
])
def test_personal_data_on_a_line(line, kinds):
    assert kinds_in(line) == kinds


@pytest.mark.unit
def test_an_account_record_over_many_lines_is_one_finding_with_its_lines():
    lines = ["{'type': 'user',", " 'name': 'ashioya',", " 'fullname': 'A J',", " 'email': 'a.j@mail.test',",
             " 'emailVerified': True,", " 'isPro': False}"]
    assert find(lines) == [("line 4", "e-mail address"), ("lines 3-6", "account details")]


@pytest.mark.unit
def test_what_a_notebook_may_allow_is_checked():
    assert allowed(None, "n") == () and allowed(False, "n") == ()
    assert allowed(True, "n") == KINDS
    assert allowed(["e-mail address"], "n") == ("e-mail address",)
    with pytest.raises(DiaryFileError, match="n: allow_personal_data must be true, false or a list of: e-mail"):
        allowed(["emails"], "n")
    with pytest.raises(DiaryFileError, match="not 'yes'"):
        allowed("yes", "n")


@pytest.mark.unit
def test_the_colab_hub_notebook_has_no_secrets_and_three_pieces_of_personal_data():
    """Saved by Colab: two Hugging Face commit hashes, a UUID, whoami() and a Drive path."""
    findings = scan([QUIRKS / "colab-huggingface-hub.ipynb"], QUIRKS.parent.parent)
    assert [str(f) for f in findings] == [
        "tests/notebook-quirks/colab-huggingface-hub.ipynb: cell 2 output, line 5: personal data (e-mail address)",
        "tests/notebook-quirks/colab-huggingface-hub.ipynb: cell 2 output, lines 4-13: personal data (account details)",
        "tests/notebook-quirks/colab-huggingface-hub.ipynb: cell 7 output, line 2: personal data (Google Drive path)",
    ]


@pytest.mark.unit
def test_secrets_planted_among_ids_are_still_caught(tmp_path):
    nb = json.loads((QUIRKS / "colab-huggingface-hub.ipynb").read_text())
    wandb = nbformat.v4.new_code_cell("import os\nos.environ['WANDB_API_KEY']", execution_count=9, outputs=[
        nbformat.v4.new_output("execute_result", data={"text/plain": f"'{FAKE_WANDB}'"}, execution_count=9)])
    hub = nbformat.v4.new_code_cell(f"api = HfApi(token='{FAKE_HF}')\napi.model_info('gpt2').sha", outputs=[
        nbformat.v4.new_output("stream", text=f"{{'commit': 'main', 'api_key': '{FAKE_WANDB[::-1]}'}}\n")])
    nb["cells"] += [wandb, hub]
    path = tmp_path / "leaky.ipynb"
    path.write_text(json.dumps(nb))
    secrets = [str(f) for f in scan([path], tmp_path) if not f.personal]
    assert secrets == ["leaky.ipynb: cell 8 output, line 1: possible secret (Hex High Entropy String)",
                       "leaky.ipynb: cell 9, line 1: possible secret (Base64 High Entropy String)",
                       "leaky.ipynb: cell 9, line 1: possible secret (Hugging Face Token)",
                       "leaky.ipynb: cell 9 output, line 1: possible secret (Hex High Entropy String)",
                       "leaky.ipynb: cell 9 output, line 1: possible secret (Secret Keyword)"]
