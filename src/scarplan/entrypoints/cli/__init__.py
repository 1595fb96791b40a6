"""The `scarplan` command line."""
