"""The contact policy gate (pure): every proposed contact is decided by law, explained, and fails closed.

`decide(request) -> decision` is the stable contract (see gate.py); packs are
versioned data (pack.py, packs/*.toml); rules are small pure functions
(rules.py); `describe_pack` renders a pack's rules as plain zh/en sentences.
"""

from fairdue.policy.describe import describe_pack
from fairdue.policy.gate import Gate, decide, default_gate, fail_closed
from fairdue.policy.pack import Pack, PackError, PackOverrideError, apply_override, load_pack, parse_override

CATEGORIES = ("time_window", "frequency", "third_party", "data_source", "content", "suppression", "consent", "channel")

__all__ = [
    "CATEGORIES",
    "Gate",
    "Pack",
    "PackError",
    "PackOverrideError",
    "apply_override",
    "decide",
    "default_gate",
    "describe_pack",
    "fail_closed",
    "load_pack",
    "parse_override",
]
