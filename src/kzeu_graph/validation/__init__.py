"""SHACL validation, the checks SHACL cannot do, source positions, reports."""
