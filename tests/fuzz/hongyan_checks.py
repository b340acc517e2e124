"""Schemathesis checks for Hongyan (loaded with SCHEMATHESIS_HOOKS=hongyan_checks).

GraphQL answers bad input with errors in a 200 response, which schemathesis's own
`not_a_server_error` counts as failures; what must never happen is a 5xx, an error without a
stable `extensions.code`, an INTERNAL error, or another reader's data in the answer.
"""

import json
import os

import schemathesis


@schemathesis.check
def hongyan_no_server_error(ctx, response, case):
    """No 5xx; every GraphQL error carries a code and none is INTERNAL."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        body = json.loads(response.text)
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        code = (error.get("extensions") or {}).get("code")
        if not code:
            raise AssertionError(f"an error without extensions.code: {error}")
        if code == "INTERNAL":
            raise AssertionError(f"INTERNAL error: {error}")
    return None


@schemathesis.check
def hongyan_no_foreign_reader_data(ctx, response, case):
    """The canary reader's name, card or ids never reach another reader."""
    for canary in filter(None, os.environ.get("HONGYAN_FUZZ_CANARIES", "").split(",")):
        if canary in response.text:
            raise AssertionError(f"another reader's data ({canary!r}) in: {response.text[:300]}")
    return None
