"""The clinic layer's core: what every use case stands on.

The context (`Clinic`, `Actor`), who may do what (`access`), the audit port and the audit
trail's use cases, the job interface, readiness checks and the shared input validator. The
core imports no other clinic subpackage (an import-linter contract holds it); everything else
here imports the core.
"""
