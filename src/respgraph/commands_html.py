"""`respgraph html` (interactive pages) and `respgraph export graphml|gexf|json|csv` (files for other tools)."""
from __future__ import annotations

import click

from respgraph.exports.views import MAX_NODES, VIEWS

from .cli import check_cities, cli, graph_of
from .commands_export import export_group, loaded_graph, quiet_option


@cli.command("html")
@click.option("--view", type=click.Choice(VIEWS),
              help="What to draw (default: unit with --unit, city with --city, else overlap).")
@click.option("--city", "cities", multiple=True, help="Only this city (福州 or 福州市); repeat for several.")
@click.option("--unit", help="The unit whose neighbourhood to draw (市大数据委, 福州市大数据委).")
@click.option("--topic", help="Only tasks about this topic (智慧教育), or containing this keyword.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True,
              help="Unit view: levels of units and tasks around the unit.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=MAX_NODES, show_default=True,
              help="Above this many nodes, leave out sections, then group tasks, then keep the best-connected.")
@click.option("-o", "--output", "output_path", type=click.Path(allow_dash=True),
              help="Write here (a new or regular file; '-' for stdout) instead of exports/<view>-<name>.html.")
@click.pass_context
def html_command(ctx, view, cities, unit, topic, depth, max_nodes, output_path):
    """Write an interactive graph page that opens offline (one HTML file, nothing to download).

    Views: unit (a unit's tasks, their sections and co-responsible units), city (a city's whole
    plan), overlap (what cities share: agency functions, topics, projects), agencies (units
    linked by the tasks they share).

    Example: respgraph html --unit 市大数据委 --city 福州
    """
    from respgraph.exports import html as html_export
    from respgraph.graph_build.files import check_target
    from respgraph.queries import known_cities

    if output_path and output_path != "-":
        check_target(output_path, ".html")  # before the page is drawn: a folder, FIFO or device is refused
    if cities:
        check_cities(known_cities(graph_of(ctx)), cities)
    # ViewOptionError and AmbiguousUnit exit 2, NothingToDraw and UnknownUnit exit 1 (errors.py)
    page = html_export.view_page(graph_of(ctx), view, unit, cities, topic, depth, max_nodes)
    for note in page.view.notes:
        click.echo(f"note: {note}", err=True)
    graph = page.view.graph
    if output_path == "-":
        click.echo(page.html, nl=False)
        return
    path = page.save(output_path or html_export.default_path(page.view))  # atomic; refuses a FIFO or device
    click.echo(f"wrote {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges → {path}", err=True)


def _export(ctx, fmt: str, path: str, quiet: bool) -> None:
    from respgraph.exports import files

    from . import progress

    files.check_export_path(fmt, path)  # before the graph is loaded: a folder, FIFO or device is refused
    with progress.display(quiet) as show:
        graph = loaded_graph(ctx, show)
        show(f"writing {fmt}")
        written = files.export(graph, fmt, path)
    where = path if fmt == "csv" else written[0]
    click.echo(f"wrote {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges → {where}", err=True)


@export_group.command("graphml")
@click.argument("path", type=click.Path())
@quiet_option
@click.pass_context
def export_graphml(ctx, path, quiet):
    """GraphML for Gephi and yEd: typed attributes, STRING[] joined with '|', label = display name.

    Example: respgraph export graphml out/graph.graphml
    """
    _export(ctx, "graphml", path, quiet)


@export_group.command("gexf")
@click.argument("path", type=click.Path())
@quiet_option
@click.pass_context
def export_gexf(ctx, path, quiet):
    """GEXF 1.2 for Gephi: typed attributes, STRING[] joined with '|', label = display name.

    Example: respgraph export gexf out/graph.gexf
    """
    _export(ctx, "gexf", path, quiet)


@export_group.command("json")
@click.argument("path", type=click.Path())
@quiet_option
@click.pass_context
def export_json(ctx, path, quiet):
    """Node-link JSON (networkx.node_link_graph(data, edges="edges") reads it back).

    Example: respgraph export json out/graph.json
    """
    _export(ctx, "json", path, quiet)


@export_group.command("csv")
@click.argument("folder", type=click.Path())
@quiet_option
@click.pass_context
def export_csv(ctx, folder, quiet):
    """nodes.csv and edges.csv in FOLDER (Gephi's spreadsheet import, pandas, Excel).

    Example: respgraph export csv out/csv
    """
    _export(ctx, "csv", folder, quiet)
