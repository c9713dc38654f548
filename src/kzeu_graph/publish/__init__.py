"""Everything written for others: exports, the dataset description, docs, pictures."""
