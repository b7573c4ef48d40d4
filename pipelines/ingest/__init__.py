"""From PDFs in raw/ to the raw schema: discovery, per-document processing, the
extraction hand-off, validation, the single-writer load, locking, progress, the run."""
