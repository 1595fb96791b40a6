"""Clinic scheduling: many patients' sessions on scarce practitioners, devices and rooms (CP-SAT)."""
