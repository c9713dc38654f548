"""A synthetic corpus in the kzeu model, for scale tests and benchmarks."""
