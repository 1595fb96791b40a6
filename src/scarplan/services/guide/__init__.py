"""The public decision aid (/guide): scar types, options side by side, what might suit a
visitor, home care, questions for a dermatologist and a printable summary. Built to the IPDAS
criteria that fit (docs/patients.md). Nothing a visitor answers is stored or logged."""

from scarplan.services.guide.pages import GuidePage, Step, guide_page

__all__ = ["GuidePage", "Step", "guide_page"]
