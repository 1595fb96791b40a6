"""Adapters: files, database, FHIR, reports. They translate between the outside and the domain."""
