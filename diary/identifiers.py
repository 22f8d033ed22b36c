"""Ids that look like secrets and are not: commits, revisions, content hashes, object ids.

detect-secrets reports any quoted hex string random enough to be a key. In a
notebook that is mostly the commit a model was fetched at (Hugging Face's
`_commit_hash`, `model_info().sha`, a `revision=` pin), a file's SHA-256 or an
object id in an API answer. Such a string is taken for an id when it has the
length of one (24, 32, 40 or 64 hex digits) and its line, or the cell that
printed it, says what it is (commit, revision, sha, hash, id, ...) while
neither speaks of keys, tokens, passwords or credentials. Everything else,
and every provider's token format, is still reported.
"""

import re

HEX_KINDS = {"Hex High Entropy String"}
ID_LENGTHS = {24, 32, 40, 64}  # an object id, MD5 or a UUID's digits, SHA-1 (git), SHA-256
HEX = re.compile(r"[0-9a-fA-F]+")
# Underscores separate words here: `_commit_hash`, `run_id`.
NAMES_AN_ID = re.compile(r"(?<![a-z])(?:commit|revision|rev|sha\d*|hash|snapshots?|etag|checksum|digest|md5|"
                         r"oid|id|ids|uuid|guid|fingerprint)(?![a-z])", re.IGNORECASE)
NAMES_A_CREDENTIAL = re.compile(r"key|token|secret|passw|pwd|credential|auth|bearer|cookie|session|signature",
                                re.IGNORECASE)


def is_identifier(kind, value, line, cell_source=""):
    """Whether a finding of detect-secrets' `kind` on `line` (printed by `cell_source`) is an id."""
    if kind not in HEX_KINDS or not value or len(value) not in ID_LENGTHS or not HEX.fullmatch(value):
        return False
    context = f"{line}\n{cell_source}".replace("_", " ")
    return bool(NAMES_AN_ID.search(context)) and not NAMES_A_CREDENTIAL.search(context)
