"""The patient's clinical record: patients and their intake, assessments, treatment
sessions, photos, adverse events, stored 3D height-map analyses, questionnaires and
outcomes, and the read models over them (overview, trends, photo pairs).
"""
