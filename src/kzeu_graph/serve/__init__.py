"""`kzeu-graph serve`: the SPARQL endpoint, entity pages and the saved-query API."""
