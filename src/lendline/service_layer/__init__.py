"""service layer package."""
