"""Helpers shared by the test suites: a throwaway PostgreSQL server, a frozen clock, test data."""
