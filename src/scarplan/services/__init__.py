"""Use cases. Entrypoints call one function here per command or route."""
