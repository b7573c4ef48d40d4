"""What is written from a published warehouse: the HTML report and the Fiscal Data Package."""
