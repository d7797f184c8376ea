"""Celery tasks of the trail: the anchor celery beat writes every AUDIT_ANCHOR_EVERY seconds."""

from config.celery import app

from . import chain


@app.task(ignore_result=True)
def anchor_trail() -> int:
    """Seal what is pending and append the chain head to the anchor file; returns its seq."""
    return chain.anchor()["seq"]
