"""Names of the values kept in the signed session cookie, in one place: the dependencies, the
sign-in and the error pages all read them (and the error pages cannot import the dependencies,
which import them)."""

from __future__ import annotations

SESSION_KEY = "sid"
"""The server-side session's token."""
CSRF_KEY = "csrf"
"""The session's CSRF token, which every form and HTMX request sends back."""
