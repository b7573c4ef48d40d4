-- 支出功能分类: one row per function code (类 3 digits, 款 5, 项 7) in the
-- function_class seed or printed in a current document; see
-- macros/classification_dimension.sql for how the name is chosen.
{{ classification_dimension('function') }}
