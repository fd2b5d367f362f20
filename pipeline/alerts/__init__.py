"""Alerts (RULES.md §5) through a transactional outbox: plan (who gets what, pure), outbox
(write, claim, deliver, sweep), render (Chinese messages), codes (acknowledgement codes, hashed), channels (DingTalk, WeCom, SMTP,
webhook)."""
