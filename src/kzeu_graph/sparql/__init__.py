"""Saved queries, the query guard, running queries, and their results."""
