"""Treatment plans and what surrounds them: proposing, editing and accepting plans, the
clinic's price list, consent forms and signed consents, the pre-procedure checklist, the
visit preparation and follow-up visits with the outcome review.
"""
