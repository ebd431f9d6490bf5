"""The data tier each environment gets: RDS PostgreSQL as platform.yaml describes it, encrypted,
TLS-only, IAM-authenticated, with no password in any template, and dev's database asleep at night."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from .helpers import as_list, one, resources, statements

ENVS = ("dev", "staging", "prod")
ROOT = Path(__file__).resolve().parents[2]


def database(synthesis, env) -> dict:
    return one(synthesis, env, "AWS::RDS::DBInstance")


def by_id(synthesis, env, resource_type, logical_id) -> dict:
    return next(r for r in resources(synthesis, env, resource_type) if r["_id"] == logical_id)


def resource_attrs(synthesis, env, logical_id) -> dict:
    """The resource-level attributes (DeletionPolicy, DependsOn) CloudFormation sees."""
    stack = next(s for s in synthesis.for_stage(env) if logical_id in s.resources)
    return stack.resources[logical_id]


@pytest.mark.parametrize("env", ENVS)
def test_instance_as_platform_yaml_describes_it(synthesis, platform, env):
    db, config = database(synthesis, env), platform.env(env).database
    assert db["Engine"] == "postgres" and db["EngineVersion"] == config.engine_version
    assert db["DBInstanceClass"] == config.instance_class
    assert (db["StorageType"], int(db["AllocatedStorage"]), db["MaxAllocatedStorage"]) == (
        "gp3", config.allocated_storage_gib, config.max_allocated_storage_gib)
    assert db["BackupRetentionPeriod"] == config.backup_retention_days
    assert db["EnablePerformanceInsights"] is config.performance_insights
    assert db["DBName"] == config.database_name
    assert db["PubliclyAccessible"] is False
    assert db["CopyTagsToSnapshot"] is True and db["AutoMinorVersionUpgrade"] is True


def test_multi_az_deletion_protection_and_snapshot_on_delete_in_prod_only(synthesis):
    expected = {"dev": (False, False, "Delete"), "staging": (False, False, "Snapshot"),
                "prod": (True, True, "Snapshot")}
    for env, (multi_az, protected, policy) in expected.items():
        db = database(synthesis, env)
        assert db["MultiAZ"] is multi_az, env
        assert db["DeletionProtection"] is protected, env
        assert resource_attrs(synthesis, env, db["_id"])["DeletionPolicy"] == policy, env


def test_backups_kept_longer_where_it_matters(synthesis):
    days = {env: database(synthesis, env)["BackupRetentionPeriod"] for env in ENVS}
    assert days["dev"] >= 1 and days["dev"] < days["staging"] < days["prod"]


@pytest.mark.parametrize("env", ENVS)
def test_storage_encrypted_with_its_own_rotating_key(synthesis, env):
    db = database(synthesis, env)
    assert db["StorageEncrypted"] is True
    key_id = db["KmsKeyId"]["Fn::GetAtt"][0]
    key = by_id(synthesis, env, "AWS::KMS::Key", key_id)
    assert key["EnableKeyRotation"] is True
    cluster = one(synthesis, env, "AWS::EKS::Cluster")
    assert cluster["EncryptionConfig"][0]["Provider"]["KeyArn"]["Fn::GetAtt"][0] != key_id
    if db["EnablePerformanceInsights"]:
        assert db["PerformanceInsightsKMSKeyId"]["Fn::GetAtt"][0] == key_id


@pytest.mark.parametrize("env", ENVS)
def test_iam_authentication_on(synthesis, env):
    assert database(synthesis, env)["EnableIAMDatabaseAuthentication"] is True


@pytest.mark.parametrize("env", ENVS)
def test_parameter_group_allows_tls_connections_only(synthesis, platform, env):
    db = database(synthesis, env)
    group = by_id(synthesis, env, "AWS::RDS::DBParameterGroup", db["DBParameterGroupName"]["Ref"])
    assert group["Parameters"]["rds.force_ssl"] == "1"
    assert group["Family"] == "postgres" + platform.env(env).database.engine_version.split(".")[0]
    assert db["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"


@pytest.mark.parametrize("env", ENVS)
def test_in_the_private_subnets(synthesis, env):
    db = database(synthesis, env)
    subnet_group = by_id(synthesis, env, "AWS::RDS::DBSubnetGroup", db["DBSubnetGroupName"]["Ref"])
    exports = [s["Fn::ImportValue"] for s in subnet_group["SubnetIds"]]
    assert len(exports) == 3 and all("privateSubnet" in e for e in exports), exports


@pytest.mark.parametrize("env", ENVS)
def test_master_credentials_generated_into_secrets_manager(synthesis, env):
    db = database(synthesis, env)
    joined = db["MasterUserPassword"]["Fn::Join"][1]
    assert joined[0] == "{{resolve:secretsmanager:" and joined[2] == ":SecretString:password::}}"
    secret = by_id(synthesis, env, "AWS::SecretsManager::Secret", joined[1]["Ref"])
    assert "SecretString" not in secret
    assert secret["GenerateSecretString"]["GenerateStringKey"] == "password"
    assert json.loads(secret["GenerateSecretString"]["SecretStringTemplate"]) == {"username": db["MasterUsername"]}
    assert secret["KmsKeyId"] == db["KmsKeyId"]


def _password_fields(node, path=""):
    """Every (path, value) whose key names a password, anywhere in a template."""
    if isinstance(node, dict):
        for key, value in node.items():
            # A password policy (Cognito's PasswordPolicy, TemporaryPasswordValidityDays) holds rules, not a password.
            if "password" in key.lower() and not key.lower().endswith(("length", "key", "policy", "days")):
                yield f"{path}.{key}", value
            yield from _password_fields(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _password_fields(value, f"{path}[{i}]")


def _is_secret_reference(value) -> bool:
    """A CloudFormation dynamic reference into Secrets Manager (plain or joined with a Ref)."""
    if isinstance(value, dict) and "Fn::Join" in value:
        value = "".join(p if isinstance(p, str) else "<ref>" for p in value["Fn::Join"][1])
    return isinstance(value, str) and value.startswith("{{resolve:secretsmanager:")


def test_no_password_literal_in_any_template(synthesis):
    checked = 0
    for stack in synthesis.stacks:
        for path, value in _password_fields(stack.template):
            assert _is_secret_reference(value), f"{stack.name}{path} is not a Secrets Manager reference: {value!r}"
            checked += 1
    assert checked >= len(ENVS)  # at least each database's MasterUserPassword was looked at


def test_no_password_in_the_committed_gitops_tree_or_cluster_vars(synthesis):
    for path in (ROOT / "gitops").rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            for where, value in _password_fields(doc or {}):
                assert False, f"{path.relative_to(ROOT)}{where} carries a password field: {value!r}"
            if isinstance(doc, dict) and doc.get("kind") == "Secret":
                raise AssertionError(f"{path.relative_to(ROOT)} commits a Secret")
    for env in ENVS:
        manifest = json.dumps(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"]).lower()
        assert "password" not in manifest and "secretsmanager" not in manifest, env


@pytest.mark.parametrize("env", ENVS)
def test_logs_exported_into_groups_with_the_environment_retention(synthesis, platform, env):
    db = database(synthesis, env)
    assert db["EnableCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    groups = {g["LogGroupName"]: g for g in resources(synthesis, env, "AWS::Logs::LogGroup")
              if str(g.get("LogGroupName", "")).startswith("/aws/rds/")}
    expected = {f"/aws/rds/instance/{db['DBInstanceIdentifier']}/{name}" for name in ("postgresql", "upgrade")}
    assert set(groups) == expected
    assert {g["RetentionInDays"] for g in groups.values()} == {platform.env(env).log_retention_days}
    # Ours exist before RDS would create them without retention.
    assert {g["_id"] for g in groups.values()} <= set(as_list(resource_attrs(synthesis, env, db["_id"])["DependsOn"]))


@pytest.mark.parametrize("env", ENVS)
def test_api_role_connects_as_its_database_user_on_this_instance_only(synthesis, platform, env):
    db, config = database(synthesis, env), platform.env(env)
    connect = [s for s in statements(synthesis, env, f"innovate-{env}-api") if "rds-db:connect" in as_list(s["Action"])]
    assert len(connect) == 1 and as_list(connect[0]["Action"]) == ["rds-db:connect"]
    (resource,) = as_list(connect[0]["Resource"])
    parts = resource["Fn::Join"][1]
    assert {"Fn::GetAtt": [db["_id"], "DbiResourceId"]} in parts
    flat = "".join(p if isinstance(p, str) else "<DbiResourceId>" for p in parts)
    assert flat == (f"arn:aws:rds-db:{platform.region}:{config.account}:dbuser:<DbiResourceId>/"
                    f"{config.database.iam_user}")
    migrator = f"innovate-{env}-api-migrator"
    connect = [s for s in statements(synthesis, env, migrator) if "rds-db:connect" in as_list(s["Action"])]
    (resource,) = as_list(connect[0]["Resource"]) if len(connect) == 1 else [None]
    flat = "".join(p if isinstance(p, str) else "<DbiResourceId>" for p in resource["Fn::Join"][1])
    # Only the migration Job's role may log in as the schema owner; the pods' role may not.
    assert flat == (f"arn:aws:rds-db:{platform.region}:{config.account}:dbuser:<DbiResourceId>/"
                    f"{config.database.migrator_user}")
    other_roles = [r["RoleName"] for r in resources(synthesis, env, "AWS::IAM::Role")
                   if r.get("RoleName") and r["RoleName"] not in (f"innovate-{env}-api", migrator)]
    for name in other_roles:
        assert not any("rds-db:connect" in as_list(s["Action"]) for s in statements(synthesis, env, name)), name


def _schedule_at(expression: str) -> tuple[int, int]:
    minutes, hours, _, _, days, _ = expression.removeprefix("cron(").removesuffix(")").split()
    assert days == "MON-FRI"
    return int(hours), int(minutes)


def test_dev_database_stops_with_the_sleep_schedule(synthesis, platform):
    sleep = platform.env("dev").sleep
    timeline = sleep.timeline()
    db = database(synthesis, "dev")
    schedules = {s["Target"]["Arn"]: s for s in resources(synthesis, "dev", "AWS::Scheduler::Schedule")
                 if ":aws-sdk:rds:" in s["Target"]["Arn"]}
    stop = schedules.pop("arn:aws:scheduler:::aws-sdk:rds:stopDBInstance")
    start = schedules.pop("arn:aws:scheduler:::aws-sdk:rds:startDBInstance")
    assert not schedules
    for schedule, step in ((stop, "node_groups_down"), (start, "node_groups_up")):
        assert _schedule_at(schedule["ScheduleExpression"]) == tuple(map(int, timeline[step].split(":")))
        assert schedule["ScheduleExpressionTimezone"] == sleep.timezone
        assert schedule["Target"]["Input"]["Fn::Join"][1] == ['{"DbInstanceIdentifier":"', {"Ref": db["_id"]}, '"}']
    role_id = stop["Target"]["RoleArn"]["Fn::GetAtt"][0]
    policies = [p for p in resources(synthesis, "dev", "AWS::IAM::Policy") if {"Ref": role_id} in p["Roles"]]
    (statement,) = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert sorted(as_list(statement["Action"])) == ["rds:StartDBInstance", "rds:StopDBInstance"]
    assert statement["Resource"]["Fn::Join"][1][-1] == {"Ref": db["_id"]}
    # RDS restarts an instance stopped for 7 days: the longest stop here (Friday night to Monday) is shorter.
    friday = datetime(2026, 11, 27, *_schedule_at(stop["ScheduleExpression"]))
    monday = datetime(2026, 11, 30, *_schedule_at(start["ScheduleExpression"]))
    assert monday - friday < timedelta(days=7)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_databases_never_stop(synthesis, env):
    assert not [s for s in resources(synthesis, env, "AWS::Scheduler::Schedule") if ":rds:" in s["Target"]["Arn"]]


def test_cluster_vars_point_the_api_at_this_database(synthesis, platform):
    for env in ENVS:
        db, config = database(synthesis, env), platform.env(env).database
        parts = one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"]["Fn::Join"][1]
        address = parts.index({"Fn::GetAtt": [db["_id"], "Endpoint.Address"]})
        assert parts[address - 1].endswith('"db_host":"')
        literal = "".join(p for p in parts if isinstance(p, str))
        assert f'"db_name":"{config.database_name}"' in literal and f'"db_user":"{config.iam_user}"' in literal


def test_summary_for_innovate_synth_matches_the_templates(synthesis, platform):
    from innovate_platform.aws.constructs.database import database_summary

    for env in ENVS:
        summary, db = database_summary(platform.env(env)), database(synthesis, env)
        assert summary["identifier"] == db["DBInstanceIdentifier"]
        assert summary["class"] == db["DBInstanceClass"]
        assert summary["multi_az"] is db["MultiAZ"]
        assert summary["engine"] == f"postgres {db['EngineVersion']}"
        assert summary["storage"] == f"{db['AllocatedStorage']}-{db['MaxAllocatedStorage']} GiB gp3"
        assert summary["stops_at_night"] is (env == "dev")


def test_dev_backups_and_maintenance_happen_while_the_database_is_awake(synthesis, platform):
    """RDS takes no backup and applies no maintenance while stopped: dev's windows sit in its day."""
    from datetime import timezone
    from zoneinfo import ZoneInfo

    sleep = platform.env("dev").sleep
    db = database(synthesis, "dev")
    zone = ZoneInfo(sleep.timezone)
    wake, night = (datetime.strptime(t, "%H:%M").time() for t in (sleep.wake_at, sleep.sleep_at))
    (start_day, maintenance_start), (end_day, maintenance_end) = (
        part.split(":", 1) for part in db["PreferredMaintenanceWindow"].split("-"))
    assert start_day == end_day and start_day in ("mon", "tue", "wed", "thu", "fri")
    for day in (datetime(2026, 1, 14), datetime(2026, 7, 15)):  # a winter and a summer Wednesday
        for start, end in (db["PreferredBackupWindow"].split("-"), (maintenance_start, maintenance_end)):
            for hhmm in (start, end):
                utc = day.replace(hour=int(hhmm[:2]), minute=int(hhmm[3:5]), tzinfo=timezone.utc)
                local = utc.astimezone(zone).time()
                assert wake <= local <= night, (day.date(), start, end, local)
    for env in ("staging", "prod"):
        assert "PreferredBackupWindow" not in database(synthesis, env)
