"""The one field-encryption seam for personal data (name, ID number, phones, emails, address).

* `FieldCipher.encrypt(value, context=...)` → a text token
  `fd1:<key id>:<base64url(nonce ‖ AES-256-GCM ciphertext+tag)>`. The key id
  travels with the ciphertext, so keys rotate: new values are encrypted with
  the current key, old tokens still decrypt with the key they name, and
  `reencrypt` moves a token to the current key. `context` (e.g.
  "borrower.name") is bound as associated data, so a token copied into another
  column does not decrypt there.
* `FieldCipher.blind_index(value, context=...)` → hex HMAC-SHA256 under a
  separate index key, for equality lookup (by mobile, by ID number) without
  decrypting. The index key does not rotate with the encryption keys.

Keys come from configuration, in this order:
  FAIRDUE_KEYS      JSON text {"current": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"}, "index_key": "<b64>"}
  FAIRDUE_KEY_FILE  path of a file holding that JSON
  otherwise, only for a SQLite database (demo, tests, a first try), a dev key file
  generated at var/dev-keys.json (git-ignored, never committed); PostgreSQL refuses
  to run without configured keys, and refuses development keys (`"dev": true`, as the
  dev key file and the demo write them) even when FAIRDUE_KEYS / FAIRDUE_KEY_FILE name them.
Keys are 32 random bytes, base64 (standard or url-safe).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fairdue.errors import FairdueError

TOKEN_PREFIX = "fd1"  # nosec B105
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_LEN_MAX = 32
DEV_KEY_FILE = pathlib.Path("var") / "dev-keys.json"


class CryptoError(FairdueError):
    """Base of field-encryption errors."""


class KeysNotConfigured(CryptoError):
    pass


class InvalidKeyConfig(CryptoError):
    pass


class DevKeysRefused(KeysNotConfigured):
    """Development keys (generated, `"dev": true`) were configured for a database other than SQLite."""

    def __init__(self) -> None:
        super().__init__(
            'development keys are only for SQLite: configure production keys ("dev": false) in FAIRDUE_KEYS or '
            "FAIRDUE_KEY_FILE for this database"
        )


class UnknownKeyId(CryptoError):
    def __init__(self, key_id: str):
        super().__init__(
            f"no key {key_id!r} in the configured keys; add the old key to FAIRDUE_KEYS to read this value"
        )
        self.key_id = key_id


class DecryptionFailed(CryptoError):
    """The token is malformed, altered, or belongs to another field."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raise InvalidKeyConfig(f"{what} is not base64") from None


@dataclass(frozen=True, slots=True)
class Keyring:
    """current: key id new values are encrypted with. keys: key id → 32-byte key. index_key: HMAC key."""

    current: str
    keys: Mapping[str, bytes]
    index_key: bytes
    dev: bool = False

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise InvalidKeyConfig(f"current key {self.current!r} is not among the keys {sorted(self.keys)}")
        for kid, key in self.keys.items():
            if not kid or len(kid) > KEY_ID_LEN_MAX or ":" in kid:
                raise InvalidKeyConfig(f"key id {kid!r} must be 1..{KEY_ID_LEN_MAX} characters without ':'")
            if len(key) != KEY_BYTES:
                raise InvalidKeyConfig(f"key {kid!r} must be {KEY_BYTES} bytes, got {len(key)}")
        if len(self.index_key) < KEY_BYTES:
            raise InvalidKeyConfig(f"index_key must be at least {KEY_BYTES} bytes")

    @classmethod
    def from_json(cls, text: str, *, dev: bool = False) -> Keyring:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidKeyConfig(f"key configuration is not JSON: {err.msg} at line {err.lineno}") from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("keys"), dict)
            or "current" not in data
            or "index_key" not in data
        ):
            raise InvalidKeyConfig('key configuration must be {"current": ID, "keys": {ID: B64}, "index_key": B64}')
        keys = {str(k): _b64decode(str(v), f"key {k!r}") for k, v in data["keys"].items()}
        return cls(
            str(data["current"]), keys, _b64decode(str(data["index_key"]), "index_key"), dev=bool(data.get("dev", dev))
        )

    def to_json(self) -> str:
        enc = lambda b: base64.urlsafe_b64encode(b).decode()  # noqa: E731
        return json.dumps(
            {
                "current": self.current,
                "keys": {k: enc(v) for k, v in self.keys.items()},
                "index_key": enc(self.index_key),
                "dev": self.dev,
            },
            indent=2,
        )

    @classmethod
    def generate(cls, key_id: str = "k1", *, dev: bool = False) -> Keyring:
        """Fresh random keys; `dev=True` marks them development keys (the dev key file), which only SQLite takes."""
        return cls(key_id, {key_id: secrets.token_bytes(KEY_BYTES)}, secrets.token_bytes(KEY_BYTES), dev=dev)

    def rotated(self, new_key_id: str) -> Keyring:
        """A keyring with a fresh current key; the old keys stay for reading."""
        if new_key_id in self.keys:
            raise InvalidKeyConfig(f"key id {new_key_id!r} already exists")
        keys = dict(self.keys)
        keys[new_key_id] = secrets.token_bytes(KEY_BYTES)
        return Keyring(new_key_id, keys, self.index_key, dev=self.dev)


def _normalize(value: str) -> str:
    return unicodedata.normalize("NFC", value)


class FieldCipher:
    """AES-GCM field encryption and HMAC blind indexes over one Keyring."""

    def __init__(self, keyring: Keyring):
        self.keyring = keyring
        self._aead = {kid: AESGCM(key) for kid, key in keyring.keys.items()}

    def encrypt(self, value: str, *, context: str) -> str:
        if not isinstance(value, str):
            raise TypeError("only text fields are encrypted")
        nonce = secrets.token_bytes(NONCE_BYTES)
        kid = self.keyring.current
        ct = self._aead[kid].encrypt(nonce, _normalize(value).encode("utf-8"), context.encode("utf-8"))
        return f"{TOKEN_PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode().rstrip('=')}"

    def _split(self, token: str) -> tuple[str, bytes]:
        parts = token.split(":", 2) if isinstance(token, str) else []
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise DecryptionFailed("not a fairdue field token")
        try:
            raw = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionFailed("field token body is not base64") from None
        if len(raw) < NONCE_BYTES + 16:
            raise DecryptionFailed("field token is too short")
        return parts[1], raw

    def key_id_of(self, token: str) -> str:
        return self._split(token)[0]

    def decrypt(self, token: str, *, context: str) -> str:
        kid, raw = self._split(token)
        aead = self._aead.get(kid)
        if aead is None:
            raise UnknownKeyId(kid)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")).decode("utf-8")
        except InvalidTag:
            raise DecryptionFailed(
                f"field token does not decrypt for {context} (altered, or from another field)"
            ) from None

    def needs_rotation(self, token: str) -> bool:
        return self.key_id_of(token) != self.keyring.current

    def reencrypt(self, token: str, *, context: str) -> str:
        """The same value under the current key (unchanged token if already current)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, context: str) -> str:
        msg = context.encode("utf-8") + b"\x00" + _normalize(value).encode("utf-8")
        return hmac.new(self.keyring.index_key, msg, hashlib.sha256).hexdigest()


def load_keyring(environ: Mapping[str, str] | None = None, *, database_url: str | None = None) -> Keyring:
    """Keys from FAIRDUE_KEYS / FAIRDUE_KEY_FILE, or a dev key file for SQLite (see module docstring)."""
    env = os.environ if environ is None else environ
    url = database_url or env.get("FAIRDUE_DATABASE_URL") or "sqlite:"
    ring = _configured_keyring(env)
    if ring is not None:
        if ring.dev and not url.startswith("sqlite"):
            raise DevKeysRefused()
        return ring
    if not url.startswith("sqlite"):
        raise KeysNotConfigured(
            "no field-encryption keys configured: set FAIRDUE_KEYS or FAIRDUE_KEY_FILE (dev keys are only generated for SQLite)"
        )
    return dev_keyring(pathlib.Path(env.get("FAIRDUE_DEV_KEY_FILE") or DEV_KEY_FILE))


def _configured_keyring(env: Mapping[str, str]) -> Keyring | None:
    """The keys FAIRDUE_KEYS or FAIRDUE_KEY_FILE name, or None when neither is set."""
    if env.get("FAIRDUE_KEYS"):
        return Keyring.from_json(env["FAIRDUE_KEYS"])
    if env.get("FAIRDUE_KEY_FILE"):
        path = pathlib.Path(env["FAIRDUE_KEY_FILE"])
        try:
            return Keyring.from_json(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise KeysNotConfigured(f"cannot read FAIRDUE_KEY_FILE {path}: {err.strerror}") from None
    return None


def dev_key_file_text(path: pathlib.Path, generate: Callable[[], str]) -> str:
    """The text of the dev key file at `path`; on first use `generate()` writes it, mode 0600 and exclusively (when
    another process made it first, its file wins)."""
    if path.exists():
        return path.read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text


def dev_keyring(path: pathlib.Path) -> Keyring:
    """Read the dev key file at `path`, generating it (mode 0600) on first use."""
    return Keyring.from_json(dev_key_file_text(path, lambda: Keyring.generate(dev=True).to_json()), dev=True)


def load_cipher(environ: Mapping[str, str] | None = None, *, database_url: str | None = None) -> FieldCipher:
    return FieldCipher(load_keyring(environ, database_url=database_url))
