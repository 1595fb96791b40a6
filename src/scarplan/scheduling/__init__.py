"""Clinic scheduling: many patients' sessions on scarce practitioners, devices, rooms (CP-SAT)."""
