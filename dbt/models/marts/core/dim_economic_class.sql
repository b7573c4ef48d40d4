-- 支出经济分类: one row per economic code (类 3 digits, 款 5) in the economic_class
-- seed or printed in a current document; see macros/classification_dimension.sql.
{{ classification_dimension('economic') }}
