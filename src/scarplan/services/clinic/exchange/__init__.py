"""Data in and out of the clinic: FHIR export and import of a stored patient, signed consents
between clinics, the patient report, a patient's own data export and erasure, and the
de-identified research export (`research/`).
"""
