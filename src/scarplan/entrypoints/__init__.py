"""Thin adapters: parse input, call one service function, render the result."""
