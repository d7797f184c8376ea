"""Celery tasks of data protection: the daily retention sweep (celery beat, once a day)."""

from audit.chain import seal
from config.celery import app

from .services import retention_sweep


@app.task(ignore_result=True)
def sweep_retention() -> int:
    """Open a review for each closed case past its retention; returns how many."""
    opened = retention_sweep()
    seal()
    return opened
