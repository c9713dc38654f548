"""The `kzeu-graph` command line: one thin layer over the library."""
