"""Reads of a case's offences and outcomes."""
