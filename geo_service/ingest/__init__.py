"""Ingest: readers, mapping, validation, redaction, quarantine and the COPY loader."""
