"""The per-process cache of signed-in actors: short-lived, kept apart by credential kind."""

from __future__ import annotations

import time

from scarplan.entrypoints.web.deps import ActorCache, CredentialKind
from scarplan.services.clinic.core.context import Actor

LEE = Actor(7, "dr.lee", "clinician")
ANA = Actor(9, "ana", "patient", patient_id=3)


def test_an_entry_lasts_only_its_time_to_live() -> None:
    cache = ActorCache(ttl=0.05)
    cache.put(CredentialKind.SESSION, "s1", LEE)
    assert cache.get(CredentialKind.SESSION, "s1") == LEE
    time.sleep(0.1)
    assert cache.get(CredentialKind.SESSION, "s1") is None


def test_a_session_id_never_answers_as_a_bearer_token() -> None:
    cache = ActorCache()
    cache.put(CredentialKind.SESSION, "same", LEE)
    assert cache.get(CredentialKind.BEARER, "same") is None


def test_dropping_a_user_forgets_all_their_credentials_and_no_one_elses() -> None:
    cache = ActorCache()
    cache.put(CredentialKind.SESSION, "s1", LEE)
    cache.put(CredentialKind.BEARER, "t1", LEE)
    cache.put(CredentialKind.SESSION, "s2", ANA)
    cache.drop(user_id=LEE.user_id)
    assert cache.get(CredentialKind.SESSION, "s1") is None
    assert cache.get(CredentialKind.BEARER, "t1") is None
    assert cache.get(CredentialKind.SESSION, "s2") == ANA
    cache.drop(session="s2")
    assert cache.get(CredentialKind.SESSION, "s2") is None


def test_the_cache_is_bounded() -> None:
    cache = ActorCache(size=3)
    for number in range(10):
        cache.put(CredentialKind.SESSION, f"s{number}", LEE)
    assert sum(cache.get(CredentialKind.SESSION, f"s{n}") is not None for n in range(10)) == 3
