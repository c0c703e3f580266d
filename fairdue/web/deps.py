"""What routes get from the application, in one module (below app.py, so routes never import the app)."""

from __future__ import annotations

from fastapi import FastAPI

from fairdue.adapters.crypto import FieldCipher, load_cipher


def field_cipher(app: FastAPI) -> FieldCipher:
    """The PII field cipher: the one create_app was given, else the configured keys, loaded on first use."""
    if app.state.cipher is None:
        app.state.cipher = load_cipher(database_url=app.state.core.settings.database_url)
    cipher: FieldCipher = app.state.cipher
    return cipher
