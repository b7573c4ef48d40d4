"""pandera schemas for every layer the pipeline writes (``schemas.budget``), from the tables
declared once in ``schemas.tables``.

Nothing is imported here: the extraction side needs only the declarations, and pandera
costs about half a second to import in every process that would otherwise load it.
"""
