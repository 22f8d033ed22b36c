"""Provider-token detectors that detect-secrets does not ship (loaded by diary/secrets.py).

detect-secrets knows AWS and GitHub keys but only OpenAI's old key format and
no Hugging Face or Anthropic tokens, which are the ones a notebook calling a
hosted model is most likely to leak.
"""

import re

from detect_secrets.plugins.base import RegexBasedDetector


class HuggingFaceTokenDetector(RegexBasedDetector):
    """Hugging Face user access tokens."""

    secret_type = "Hugging Face Token"
    denylist = [re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")]


class OpenAIProjectKeyDetector(RegexBasedDetector):
    """OpenAI keys: `sk-` and `sk-proj-` / `sk-svcacct-` formats."""

    secret_type = "OpenAI API Key"
    denylist = [re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}\b")]


class AnthropicKeyDetector(RegexBasedDetector):
    """Anthropic API keys."""

    secret_type = "Anthropic API Key"
    denylist = [re.compile(r"\bsk-ant-[A-Za-z0-9_-]{32,}\b")]


NAMES = [HuggingFaceTokenDetector.__name__, OpenAIProjectKeyDetector.__name__, AnthropicKeyDetector.__name__]
