"""Alerts and webhooks: signals that spot changes, Celery tasks that deliver them, admin."""
