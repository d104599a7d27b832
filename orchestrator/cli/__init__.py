"""The `framegraph` command line."""
