"""`respgraph export ...`: the group that file-export subcommands register on."""
from __future__ import annotations


from .cli import cli


@cli.group("export")
def export_group():
    """Write the graph to files for other tools (Gephi, yEd, Neo4j, spreadsheets).

    Example: respgraph export graphml out/graph.graphml
    """
