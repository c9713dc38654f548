"""The vocabulary layer: namespaces and prefixes, engine-neutral terms, RDF formats."""
