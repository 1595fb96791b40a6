"""Home care: the AM/PM routine, its titration and pause calendar, and its safety checks."""
