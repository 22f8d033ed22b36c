"""Personal data in notebook outputs: e-mail addresses, account details, home and Drive paths.

A notebook run on the author's machine or in Colab prints more about the
author than they meant to publish: `whoami()` returns the account with its
e-mail address, a traceback or a saved file names the home folder, a mounted
Google Drive shows its folders. None of it is a secret, so the build reports
it and goes on (the author can still preview the page); `make deploy` stops on
it unless the notebook's `diary` metadata allows it (`"allow_personal_data":
true`, or a list of the kinds below). The scan runs with the secret scan
(diary/secrets.py), over the same cells and outputs.
"""

import re

from diary.sources import DiaryFileError

KINDS = ("e-mail address", "account details", "home folder path", "Google Drive path")

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# Addresses that name no one: documentation's placeholders and the ones tools write for themselves.
IMPERSONAL_EMAIL = re.compile(r"^(?:git|noreply|no-reply|donotreply)@|@(?:example\.(?:com|org|net)"
                              r"|users\.noreply\.github\.com)$", re.IGNORECASE)
PATTERNS = {
    # The fields of an account record (Hugging Face's whoami(), huggingface_hub#1902), and `id`'s uid=N(name).
    "account details": re.compile(r"""["'](?:fullname|emailVerified|canPay|isPro|avatarUrl|accessToken)["']\s*:"""
                                  r"|\buid=\d+\([^)\s]+\)\s+gid="),
    # A home folder with its owner's name; the generic accounts of Jupyter's images and CI runners name no one.
    "home folder path": re.compile(r"(?:(?<![\w.])/home/|(?<![\w.])/Users/|\b[A-Za-z]:\\{1,2}Users\\{1,2})"
                                   r"(?!(?:jovyan|runner|Shared|Public)\b)[\w.-]+"),
    "Google Drive path": re.compile(r"/content/(?:drive|gdrive)/(?:MyDrive|My Drive|Shareddrives|Othercomputers)\b"),
}


def kinds_in(line):
    """The kinds of personal data on one line of output."""
    found = [kind for kind, pattern in PATTERNS.items() if pattern.search(line)]
    if any(not IMPERSONAL_EMAIL.search(address) for address in EMAIL.findall(line)):
        found.append("e-mail address")
    return found


def find(lines):
    """[(where, kind)] for one output's lines: each kind once, from its first line to its last (an
    account record printed over a dozen lines is one finding)."""
    seen = {}
    for number, line in enumerate(lines, start=1):
        for kind in kinds_in(line):
            seen[kind] = (seen.get(kind, (number,))[0], number)
    return [(f"line {seen[kind][0]}" if seen[kind][0] == seen[kind][1] else "lines {}-{}".format(*seen[kind]), kind)
            for kind in KINDS if kind in seen]


def allowed(value, name):
    """The kinds a notebook's `allow_personal_data` metadata allows: true (all), false, or a list of kinds."""
    if value is None or value is False:
        return ()
    if value is True:
        return KINDS
    if isinstance(value, list) and all(item in KINDS for item in value):
        return tuple(value)
    raise DiaryFileError(f"{name}: allow_personal_data must be true, false or a list of: {', '.join(KINDS)};"
                         f" not {value!r}")
