"""Clinic use cases over the database, in subpackages by purpose (docs/clinic-layer.md):

- `core`: the context (`Clinic`, `Actor`), access rules, the audit port and audit use cases,
  jobs, readiness, the input validator; imports no other subpackage;
- `records`: patients, assessments, sessions, photos, adverse events, stored 3D analyses,
  questionnaires, outcomes and the read models over them;
- `plans`: treatment plans, prices, consents and their forms, checklists, visit preparation,
  follow-up;
- `calendar`: the scheduling set-up, optimiser runs, appointments, the front desk, reminders;
- `exchange`: FHIR export and import, consent exchange, the patient report, a patient's data
  export and erasure, the research export;
- `accounts`: users and signing in, invitations, the portal, identity requests, e-mail, app
  set-up and the demo clinic.
"""
