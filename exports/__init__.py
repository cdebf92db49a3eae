"""Graph → files: interactive HTML views, GraphML/GEXF, node-link JSON, CSV."""
