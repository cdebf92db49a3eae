"""`respgraph export ...`: the group that file-export subcommands register on."""
from __future__ import annotations

import click

from .cli import cli

quiet_option = click.option(
    "-q", "--quiet", is_flag=True,
    help="No progress display (drawn only when stderr is a terminal); note: and error: lines still print.")


@cli.group("export")
def export_group():
    """Write the graph to files for other tools (Gephi, yEd, Neo4j, spreadsheets).

    On a terminal a progress line shows the stage (loading graph, writing); --quiet hides it.

    Example: respgraph export graphml out/graph.graphml
    """


def loaded_graph(ctx, show):
    """The graph for this invocation, with the "loading graph" stage shown while it loads."""
    from .cli import graph_of

    show("loading graph")
    return graph_of(ctx)
