"""yusuan: Chinese department budget PDFs into a DuckDB warehouse."""
