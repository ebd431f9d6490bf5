"""The app bucket is SSE-KMS with a key only the app's role and the admins may use: CI roles (and
the CDK lookup role's ReadOnlyAccess) can never read an object, whatever IAM grants them."""

from __future__ import annotations

import fnmatch

import pytest

from .helpers import as_list, resources, role, text

ENVS = ("dev", "staging", "prod")
DATA_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")


def api_bucket(synthesis, env):
    return next(b for b in resources(synthesis, env, "AWS::S3::Bucket")
                if str(b.get("BucketName", "")).startswith(f"innovate-{env}-api-"))


def key_of(synthesis, env, bucket):
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["BucketKeyEnabled"] is True
    key_id = rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    return next(k for k in resources(synthesis, env, "AWS::KMS::Key") if k["_id"] == key_id)


@pytest.mark.parametrize("env", ENVS)
def test_the_api_bucket_is_encrypted_with_its_own_rotating_key(synthesis, env):
    key = key_of(synthesis, env, api_bucket(synthesis, env))
    assert key["EnableKeyRotation"] is True


@pytest.mark.parametrize("env", ENVS)
def test_only_the_app_role_and_the_admins_may_decrypt(synthesis, platform, env):
    key = key_of(synthesis, env, api_bucket(synthesis, env))
    statements = key["KeyPolicy"]["Statement"]
    users = [s for s in statements if any(a in as_list(s["Action"]) for a in DATA_ACTIONS)]
    assert len(users) == 1
    principals = as_list(users[0]["Principal"]["AWS"])
    api_role = role(synthesis, env, f"innovate-{env}-api")
    expected = [{"Fn::GetAtt": [api_role["_id"], "Arn"]}, *platform.env(env).admin_role_arns]
    assert sorted(map(text, principals)) == sorted(map(text, expected))
    assert "github" not in text(principals) and "cdk-hnb659fds" not in text(principals)


@pytest.mark.parametrize("env", ENVS)
def test_the_account_administers_the_key_but_cannot_use_it(synthesis, env):
    """The root principal delegates to IAM: if it could use the key, any IAM policy granting
    kms:Decrypt (or kms:*) in the account would read the bucket."""
    key = key_of(synthesis, env, api_bucket(synthesis, env))
    (admin,) = [s for s in key["KeyPolicy"]["Statement"] if ":root" in text(s["Principal"])]
    actions = as_list(admin["Action"])
    assert "kms:PutKeyPolicy" not in actions and "kms:Put*" in actions  # administration stays possible
    assert not any(a in ("kms:*", *DATA_ACTIONS) or a.startswith(("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey",
                                                                    "kms:ReEncrypt")) for a in actions)
    # A grant gives its grantee Decrypt outside the key policy: no wildcard may cover kms:CreateGrant.
    assert not [a for a in actions if fnmatch.fnmatchcase("kms:CreateGrant", a)], actions
    assert "kms:CreateAlias" in actions  # the alias CloudFormation creates for the key


def test_the_access_log_bucket_stays_sse_s3(synthesis):
    logs = next(b for b in resources(synthesis, "dev", "AWS::S3::Bucket")
                if str(b.get("BucketName", "")).startswith("innovate-dev-access-logs-"))
    rule = logs["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256"
