"""Types, vocabulary and errors shared by every layer. Standard library only."""
