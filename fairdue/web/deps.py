"""What routes get from the application, in one module (below app.py, so routes never import the app)."""

from __future__ import annotations

from fastapi import FastAPI

from fairdue.adapters.crypto import FieldCipher


def field_cipher(app: FastAPI) -> FieldCipher:
    """The PII field cipher wired into the app's core (fairdue.bootstrap loads it at start-up)."""
    cipher: FieldCipher = app.state.cipher
    return cipher
