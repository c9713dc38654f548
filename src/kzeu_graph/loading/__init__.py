"""Reading RDF files safely and assembling the project graph (with inference)."""
