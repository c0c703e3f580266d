"""Channel adapters: email over SMTP, SMS/voice/app push over an HTTP provider, letters as PDF.

Every adapter refuses to send a message unless the decision log holds an
intact, allowing decision for exactly that message (see base.require_allowing_decision),
and passes the outbox id as an idempotency key so a retry never sends twice.
"""
