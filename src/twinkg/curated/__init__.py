"""The curated data: its YAML format, records and loader."""
