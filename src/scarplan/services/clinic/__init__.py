"""Clinic use cases over the database: patients, assessments, plans, sessions, photos, progress."""
