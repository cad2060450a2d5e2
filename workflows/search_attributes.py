"""The search attributes every case carries, so operators can find cases in the Temporal UI and CLI
(`CaseRef="#1042"`, `CaseStatus="NEEDS_ATTENTION"`). They must be registered on the namespace
(`make up` does it for the local stack; see deploy/ for clusters)."""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

CASE_TYPE = SearchAttributeKey.for_keyword("CaseType")
CASE_PLATFORM = SearchAttributeKey.for_keyword("CasePlatform")
CASE_STORE = SearchAttributeKey.for_keyword("CaseStore")
CASE_REF = SearchAttributeKey.for_keyword("CaseRef")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CASE_TEAM = SearchAttributeKey.for_keyword("CaseTeam")
CASE_DUE_AT = SearchAttributeKey.for_datetime("CaseDueAt")
CASE_AMOUNT = SearchAttributeKey.for_float("CaseAmount")

ALL: list[SearchAttributeKey[Any]] = [
    CASE_TYPE,
    CASE_PLATFORM,
    CASE_STORE,
    CASE_REF,
    CASE_STATUS,
    CASE_TEAM,
    CASE_DUE_AT,
    CASE_AMOUNT,
]
