"""Alerts for people who watch the record: follows, webhooks, emails, and what was sent.

All of it lives here: the models (part of the tracker app, so their tables and migrations are the
app's), the services (called by the record's change services, `tracker.services.changes`), the
Celery tasks that deliver them, the follow views with their URLs, and the admin.
"""
