"""pandera schemas for every layer the pipeline writes."""

from schemas.budget import (
    BudgetLineSchema,
    DocumentSchema,
    ExtractedCellSchema,
    HeadlineSchema,
)

__all__ = ["BudgetLineSchema", "DocumentSchema", "ExtractedCellSchema", "HeadlineSchema"]
