"""``python -m kzeu_graph``: the command-line interface."""

from kzeu_graph.cli.commands import main

if __name__ == "__main__":
    main(prog_name="kzeu-graph")
