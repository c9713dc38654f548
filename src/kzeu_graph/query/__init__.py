"""The SPARQL language pieces every engine shares: the guard (what may run, in which
canonical text) and the Result type. Below the engines; the code that picks an engine and
runs saved queries on it is :mod:`kzeu_graph.sparql`, above them."""
