"""Files in and out: Excel/CSV exports and imports, printable PDFs."""
