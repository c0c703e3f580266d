"""Build the channel adapters from the environment (fairdue.bootstrap.build_channels wires them to the database).

    FAIRDUE_SMTP_HOST, FAIRDUE_SMTP_PORT, FAIRDUE_SMTP_SENDER, FAIRDUE_SMTP_DOMAIN,
    FAIRDUE_SMTP_STARTTLS (1/0), FAIRDUE_SMTP_USERNAME, FAIRDUE_SMTP_PASSWORD  -> email
    FAIRDUE_SMTP_RELAY_LOG (the relay's mail log, readable here; optional)    -> settles e-mails found
                                                                                 in flight after a crash
    FAIRDUE_PROVIDER_URL, FAIRDUE_PROVIDER_API_KEY                            -> sms, voicemail, call, app_push
    FAIRDUE_LETTER_SPOOL (a directory)                                        -> letter

A channel whose settings are absent has no adapter: its messages stay
pending (never lost) until one is configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fairdue.adapters.channels.base import ChannelAdapter, DecisionSource, HandoverLedger
from fairdue.adapters.channels.email import MailLogRelayLog, SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.channels.http_provider import PROVIDER_CHANNELS, HttpProviderAdapter
from fairdue.adapters.channels.letter import PdfLetterAdapter


def build_adapters(
    *, decisions: DecisionSource, ledger: HandoverLedger, environ: Mapping[str, str] | None = None
) -> dict[str, ChannelAdapter]:
    env = os.environ if environ is None else environ
    adapters: dict[str, ChannelAdapter] = {}
    if env.get("FAIRDUE_SMTP_HOST"):
        adapters["email"] = SmtpEmailAdapter(
            SmtpSettings(
                host=env["FAIRDUE_SMTP_HOST"],
                port=int(env.get("FAIRDUE_SMTP_PORT", "25")),
                sender=env.get("FAIRDUE_SMTP_SENDER", "noreply@fairdue.invalid"),
                domain=env.get("FAIRDUE_SMTP_DOMAIN", "fairdue.invalid"),
                starttls=env.get("FAIRDUE_SMTP_STARTTLS", "0") == "1",
                username=env.get("FAIRDUE_SMTP_USERNAME") or None,
                password=env.get("FAIRDUE_SMTP_PASSWORD") or None,
            ),
            decisions=decisions,
            ledger=ledger,
            relay_log=MailLogRelayLog(env["FAIRDUE_SMTP_RELAY_LOG"]) if env.get("FAIRDUE_SMTP_RELAY_LOG") else None,
        )
    if env.get("FAIRDUE_PROVIDER_URL"):
        for channel in PROVIDER_CHANNELS:
            adapters[channel] = HttpProviderAdapter(
                channel,
                base_url=env["FAIRDUE_PROVIDER_URL"],
                api_key=env.get("FAIRDUE_PROVIDER_API_KEY", ""),
                decisions=decisions,
            )
    if env.get("FAIRDUE_LETTER_SPOOL"):
        adapters["letter"] = PdfLetterAdapter(env["FAIRDUE_LETTER_SPOOL"], decisions=decisions)
    return adapters
