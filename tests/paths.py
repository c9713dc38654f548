"""Every path the tests use, in one place."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "kzeu.ttl"
REUSED_TERMS = ONTOLOGY_DIR / "reused-terms.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
DATA_DIR = ROOT / "data"
DATA = DATA_DIR / "kzeu.ttl"
SOURCES_DIR = DATA_DIR / "sources"
ARTICLE_TEXT = SOURCES_DIR / "astanatimes-2023-03-kazakhstan-eu-cooperation.txt"
SHARED_ARTICLE_TEXT = ROOT.parent / "shared" / "sources" / ARTICLE_TEXT.name
QUERIES_DIR = ROOT / "queries"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHAPE_FIXTURES = FIXTURES / "shapes"  # one Turtle file per SHACL case (tests/test_shapes.py)

# Fixtures of the library's own tests (independent of the real content above).
FIXTURE_CONTENT = FIXTURES / "content"  # a stand-in for the repo's ontology/, data/, queries/
FIXTURE_ONTOLOGY = FIXTURE_CONTENT / "ontology" / "kzeu.ttl"
FIXTURE_SHAPES = FIXTURE_CONTENT / "ontology" / "shapes.ttl"
FIXTURE_DATA = FIXTURE_CONTENT / "data" / "kzeu.ttl"
FIXTURE_SOURCES = FIXTURE_CONTENT / "data" / "sources"
FIXTURE_QUERIES = FIXTURE_CONTENT / "queries"
TINY = FIXTURES / "tiny.ttl"
LOCATION_FIXTURES = FIXTURES / "locations"  # data files with findings at known lines
REASONING_FIXTURES = FIXTURES / "reasoning"  # (in)consistent graphs for HermiT
WORKFLOW = ROOT / ".github" / "workflows" / "validate.yml"
PRE_COMMIT_HOOKS = ROOT / ".pre-commit-hooks.yaml"
BROKEN_TURTLE = FIXTURES / "broken.ttl"

# Exports and the canonical form (tests/test_export*.py, tests/test_interop.py).
CONTEXT = ONTOLOGY_DIR / "context.jsonld"
BLANK_NODES = FIXTURES / "blank-nodes.ttl"  # nested and look-alike blank nodes
BLANK_NODES_RELABELLED = FIXTURES / "blank-nodes-relabelled.ttl"  # the same graph, relabelled
NOT_CANONICAL = FIXTURES / "format" / "not-canonical.ttl"
CANONICAL = FIXTURES / "format" / "canonical.ttl"  # NOT_CANONICAL in canonical form, by hand
REMOTE_CONTEXT = FIXTURES / "remote-context.jsonld"

# The W3C test suites (read-only snapshots beside the project, or where KZEU_W3C_DIR says).
W3C_DIR = Path(os.environ.get("KZEU_W3C_DIR") or ROOT.parent / "shared" / "w3c")
