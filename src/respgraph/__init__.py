"""respgraph: a responsibility graph explorer for Chinese government plan documents.

From Python: ``respgraph.open()`` gives an ``Explorer`` (``respgraph.api``) answering as the CLI
does. It is imported on first use, so ``import respgraph`` (and the CLI) stays cheap.
"""
__version__ = "0.1.0"

_API = ("open", "Explorer", "Rows")


def __getattr__(name):
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'respgraph' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_API))
