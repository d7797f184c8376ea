"""Celery tasks of the decision trail."""

from celery import shared_task


@shared_task(ignore_result=True)
def seal_chain() -> int:
    """Seal what servers committed (they ask at most once per `chain.GATHER` seconds each)."""
    from .chain import seal

    return seal()
