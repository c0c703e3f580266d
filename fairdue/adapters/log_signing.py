"""The Ed25519 keys that sign the decision log's checkpoints (fairdue.domain.audit_checkpoint).

Loaded the way the field keys are (fairdue.adapters.crypto), in this order:
  FAIRDUE_LOG_KEYS      JSON text {"current": "log1", "keys": {"log1": "<b64 32-byte private seed>"},
                        "public_keys": {"log0": "<b64 32-byte public key>"}}
  FAIRDUE_LOG_KEY_FILE  path of a file holding that JSON
  otherwise, only for a SQLite database, a dev key file generated (0600) at var/dev-log-keys.json
  (FAIRDUE_DEV_LOG_KEY_FILE moves it); on PostgreSQL nothing is generated, and a key set marked "dev" is refused.

`keys` are private keys (the current one signs; every one's public half verifies); `public_keys` are verify-only
(a retired key, or a witness's or auditor's copy with no private key at all: `{"public_keys": {...}}` alone,
no "current", verifies and never signs). `fairdue audit keygen` writes a fresh set and prints its public half.
Loaded once per process and configuration (keyed by the variables above), like the field keys at start-up.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import pathlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fairdue.adapters.crypto import InvalidKeyConfig, KeysNotConfigured, dev_key_file_text
from fairdue.domain.audit_checkpoint import KEY_ID_LEN_MAX, Checkpoint, checkpoint_payload, checkpoint_to_dict

ED25519_KEY_BYTES = 32
DEV_LOG_KEY_FILE = pathlib.Path("var") / "dev-log-keys.json"
ENV_NAMES = ("FAIRDUE_LOG_KEYS", "FAIRDUE_LOG_KEY_FILE", "FAIRDUE_DEV_LOG_KEY_FILE")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidKeyConfig(f"{what} is not base64") from None


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _check_id(kid: str) -> None:
    if not kid or len(kid) > KEY_ID_LEN_MAX or ":" in kid:
        raise InvalidKeyConfig(f"log key id {kid!r} must be 1..{KEY_ID_LEN_MAX} characters without ':'")


@dataclass(frozen=True)
class LogKeys:
    """current: the key id that signs (None: verify only); private: key id -> private key; public: key id ->
    public key, for every key that may have signed (the private keys' halves included); dev: a generated dev set."""

    current: str | None
    private: Mapping[str, Ed25519PrivateKey]
    public: Mapping[str, Ed25519PublicKey] = field(default_factory=dict)
    dev: bool = False

    def __post_init__(self) -> None:
        for kid in [*self.private, *self.public]:
            _check_id(kid)
        if self.current is not None and self.current not in self.private:
            raise InvalidKeyConfig(f"current log key {self.current!r} is not among the private keys")
        halves = {kid: key.public_key() for kid, key in self.private.items()}
        for kid, key in halves.items():
            if kid in self.public and _raw_public(self.public[kid]) != _raw_public(key):
                raise InvalidKeyConfig(f"log key {kid!r}: the public key given is not the private key's half")
        object.__setattr__(self, "public", {**self.public, **halves})

    @property
    def can_sign(self) -> bool:
        return self.current is not None

    def sign(self, *, seq: int, head_hash: str, signed_at: datetime) -> Checkpoint:
        """A checkpoint of the log's head (decision `seq`, hash `head_hash`) signed now with the current key."""
        if self.current is None:
            raise KeysNotConfigured("no private log key configured: this key set only verifies")
        at = signed_at.replace(microsecond=0)
        payload = checkpoint_payload(seq=seq, head_hash=head_hash, entry_count=seq, signed_at=at, key_id=self.current)
        signature = _b64(self.private[self.current].sign(payload))
        return Checkpoint(seq, head_hash, seq, at, self.current, signature)

    def authentic(self, checkpoint: Checkpoint) -> str | None:
        """None when the checkpoint's signature verifies under its key id; else why not."""
        key = self.public.get(checkpoint.key_id)
        if key is None:
            return f"signed with key {checkpoint.key_id!r}, which is not a configured log key"
        try:
            signature = base64.urlsafe_b64decode(checkpoint.signature + "=" * (-len(checkpoint.signature) % 4))
            key.verify(signature, checkpoint.payload())
        except (InvalidSignature, binascii.Error, ValueError):
            return f"its signature does not verify under key {checkpoint.key_id!r}"
        return None

    def public_key_text(self, kid: str) -> str:
        return _b64(_raw_public(self.public[kid]))

    def export(self, checkpoint: Checkpoint) -> dict[str, object]:
        """The checkpoint as a witness keeps it, with the public key it verifies under."""
        return {**checkpoint_to_dict(checkpoint), "public_key": self.public_key_text(checkpoint.key_id)}

    @classmethod
    def from_json(cls, text: str, *, dev: bool = False) -> LogKeys:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidKeyConfig(f"log key configuration is not JSON: {err.msg} at line {err.lineno}") from None
        if not isinstance(data, dict) or not isinstance(data.get("keys", {}), dict):
            raise InvalidKeyConfig('log keys must be {"current": ID, "keys": {ID: B64}, "public_keys": {ID: B64}}')
        if not isinstance(data.get("public_keys", {}), dict):
            raise InvalidKeyConfig('"public_keys" must be {ID: B64}')
        private, public = {}, {}
        for kid, text64 in data.get("keys", {}).items():
            seed = _unb64(str(text64), f"log key {kid!r}")
            if len(seed) != ED25519_KEY_BYTES:
                raise InvalidKeyConfig(f"log key {kid!r} must be {ED25519_KEY_BYTES} bytes, got {len(seed)}")
            private[str(kid)] = Ed25519PrivateKey.from_private_bytes(seed)
        for kid, text64 in data.get("public_keys", {}).items():
            raw = _unb64(str(text64), f"public log key {kid!r}")
            if len(raw) != ED25519_KEY_BYTES:
                raise InvalidKeyConfig(f"public log key {kid!r} must be {ED25519_KEY_BYTES} bytes, got {len(raw)}")
            public[str(kid)] = Ed25519PublicKey.from_public_bytes(raw)
        if not private and not public:
            raise InvalidKeyConfig("the log key configuration holds no key")
        current = data.get("current")
        return cls(None if current is None else str(current), private, public, dev=bool(data.get("dev", dev)))

    def to_json(self, *, public_only: bool = False) -> str:
        """The key set as JSON; public_only: just the public halves (for a witness or an auditor)."""
        data: dict[str, object] = {"public_keys": {kid: self.public_key_text(kid) for kid in self.public}}
        if not public_only:
            raw = {kid: k.private_bytes_raw() for kid, k in self.private.items()}
            data = {"current": self.current, "keys": {kid: _b64(b) for kid, b in raw.items()}, **data}
            data["dev"] = self.dev
        return json.dumps(data, indent=2)

    @classmethod
    def generate(cls, key_id: str = "log1", *, dev: bool = False) -> LogKeys:
        """A fresh key set; `dev=True` marks it a development set (the dev key file), which only SQLite takes."""
        return cls(key_id, {key_id: Ed25519PrivateKey.generate()}, dev=dev)


_cache: dict[tuple[object, ...], LogKeys | None] = {}
_cache_lock = threading.Lock()


def load_log_keys(environ: Mapping[str, str] | None = None, *, database_url: str | None = None) -> LogKeys | None:
    """The configured log keys (see the module docstring); None on a non-SQLite database with none configured.
    Cached per process and configuration, so the gate's append path reads no file after the first time."""
    env = os.environ if environ is None else environ
    url = database_url or env.get("FAIRDUE_DATABASE_URL") or "sqlite:"
    sqlite = url.startswith("sqlite")
    cache_key = (sqlite, *(env.get(name) for name in ENV_NAMES))
    with _cache_lock:
        if cache_key not in _cache:
            _cache[cache_key] = _load(env, sqlite=sqlite)
        return _cache[cache_key]


def require_log_keys(environ: Mapping[str, str] | None = None, *, database_url: str | None = None) -> LogKeys:
    """load_log_keys, refusing a database with no log key configured (KeysNotConfigured)."""
    keys = load_log_keys(environ, database_url=database_url)
    if keys is None:
        raise KeysNotConfigured(
            "no decision-log signing key configured: set FAIRDUE_LOG_KEYS or FAIRDUE_LOG_KEY_FILE "
            "(`fairdue audit keygen` makes one; dev keys are only generated for SQLite)"
        )
    return keys


def _load(env: Mapping[str, str], *, sqlite: bool) -> LogKeys | None:
    if env.get("FAIRDUE_LOG_KEYS"):
        keys = LogKeys.from_json(env["FAIRDUE_LOG_KEYS"])
    elif env.get("FAIRDUE_LOG_KEY_FILE"):
        path = pathlib.Path(env["FAIRDUE_LOG_KEY_FILE"])
        try:
            keys = LogKeys.from_json(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise KeysNotConfigured(f"cannot read FAIRDUE_LOG_KEY_FILE {path}: {err.strerror}") from None
    elif sqlite:
        return dev_log_keys(pathlib.Path(env.get("FAIRDUE_DEV_LOG_KEY_FILE") or DEV_LOG_KEY_FILE))
    else:
        return None
    if keys.dev and not sqlite:
        raise InvalidKeyConfig("a development log key set is refused on a database other than SQLite")
    return keys


def dev_log_keys(path: pathlib.Path) -> LogKeys:
    """Read the dev log key file at `path`, generating it (mode 0600) on first use."""
    return LogKeys.from_json(dev_key_file_text(path, lambda: LogKeys.generate(dev=True).to_json()), dev=True)
