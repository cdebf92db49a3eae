"""respgraph: a responsibility graph explorer for Chinese government plan documents."""
__version__ = "0.1.0"
