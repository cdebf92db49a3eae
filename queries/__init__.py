"""Questions analysts ask of the responsibility graph: duties, load, tasks, catalog.

Each function takes the networkx graph built by ``graph_build.build`` and returns plain rows
(lists of dicts) that the CLI, the Cypher tests and the exporters share.
"""
from .catalog import documents, known_cities, units, units_without_function
from .duties import AmbiguousUnit, UnknownUnit, duties, find_agencies, resolve_agency
from .load import load_by_function, load_by_unit
from .tasks import tasks

__all__ = ["documents", "known_cities", "units", "units_without_function", "duties", "find_agencies", "resolve_agency",
           "load_by_unit", "load_by_function", "tasks", "AmbiguousUnit", "UnknownUnit"]
