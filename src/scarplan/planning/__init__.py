"""Pure planning logic: eligibility, recommendation, sequencing, scheduling. No I/O."""
