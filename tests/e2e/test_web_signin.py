"""Browser end to end behind the ALB stand-in: the built web app and the API on one origin, as
deployed (`/api/` denies the unauthenticated, `/` sends them to sign in), real gunicorn with
identity only from the stand-in's signed header, real PostgreSQL, headless Chromium. Two users
in two browser contexts: the owner signs in and creates a project, the other sees it but is told
only the owner can change it; an ended session goes through sign-in again without looping, and
the rename it interrupted comes back, marked as not saved."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.test_web_e2e import CHROMIUM, REPO
from tests.support.alb_standin import IDP_PREFIX, AlbStandIn
from tests.support.postgres import free_port, running_postgres
from tests.support.web_stack import running_api, serving_web

SCRIPT = Path(__file__).with_name("sign_in.mjs")
SHOTS = REPO / "test-output" / "e2e" / "sign-in"
OWNER_ONLY = "Only the owner of this project can change it. You can still read it."  # apps/web/src/api/errors.ts
STILL_SIGNED_OUT = "You are not signed in, and signing in again just now did not help. Reload the page to retry."
DRAFT_NOT_SAVED = "Your change was not saved because you had to sign in again: review it and save again."  # drafts.ts


def test_users_sign_in_through_the_alb_and_only_the_owner_changes_a_project(built_web, tmp_path):
    node = shutil.which("node")
    assert node and Path(CHROMIUM).exists(), "node and Debian's chromium are needed (scripts/setup.sh)"
    api_port = free_port()
    api = f"http://127.0.0.1:{api_port}"
    with running_postgres() as pg, serving_web(built_web, "") as web_url, \
            AlbStandIn([("/api/", api, "deny"), ("/", web_url, "authenticate")]) as alb, \
            running_api(pg.url, api_port, None, tmp_path / "api.log",
                        auth=alb.api_settings):  # AUTH_ALB_ARN and AUTH_ISSUER as deployed
        shutil.rmtree(SHOTS, ignore_errors=True)
        run = subprocess.run(
            [node, str(SCRIPT)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "EDGE_URL": alb.url,
                 "PROJECT_NAME": "Edge launch", "SHOTS": str(SHOTS), "CHROMIUM": CHROMIUM},
            capture_output=True, text=True, timeout=120,
        )
        assert run.stdout.strip(), run.stderr[-3000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        assert run.returncode == 0 and seen["ok"], f"{seen}\n{(tmp_path / 'api.log').read_text()[-2000:]}"
        engine = create_engine(pg.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT name, owner_sub FROM projects")).all()
        finally:
            engine.dispose()

    # Signing in: the load balancer's redirect, its HttpOnly session cookie, back where the user was.
    assert seen["anonymousLandedOn"] == f"{IDP_PREFIX}authorize"
    assert seen["aliceBackAt"] == "/"
    assert {"name": "AWSELBAuthSessionCookie-0", "httpOnly": True} in seen["aliceCookies"]
    assert seen["aliceSignedInAs"] == "Signed in as alice@example.com"
    assert seen["bobSignedInAs"] == "Signed in as bob@example.com"
    assert seen["ownerShown"] == "Owner: alice"
    assert seen["bobBackAt"] == seen["aliceProjectUrl"] and seen["aliceProjectUrl"].startswith("/projects/")

    # The other user reads but is refused, and told why.
    assert seen["bobRenameError"] == OWNER_ONLY
    assert seen["bobDeleteError"] == OWNER_ONLY
    assert seen["bobListedNames"] == ["Edge launch"]

    # An ended session: through sign-in and back to the same page; at once again: no loop.
    assert seen["expiredWentTo"] == f"{IDP_PREFIX}authorize"
    assert seen["aliceReturnedTo"] == seen["aliceProjectUrl"]
    assert seen["draftNotice"] == DRAFT_NOT_SAVED and seen["draftName"] == "Edge launch v2"  # the unsaved rename
    assert seen["secondExpiryMessage"] == STILL_SIGNED_OUT
    assert seen["secondExpiryUrl"] == seen["aliceProjectUrl"]

    # Chromium logs each refused request (401, 403) as a console error; nothing else may fail.
    assert [m for m in seen["consoleErrors"] if "401" not in m and "403" not in m] == [], seen["consoleErrors"]
    assert [r for r in seen["failedRequests"] if "ERR_ABORTED" not in r] == [], seen["failedRequests"]
    assert [tuple(r) for r in rows] == [("Edge launch", "alice")]
