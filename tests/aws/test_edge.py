"""The edge from platform.yaml's dns section, asserted on the synthesized templates: the ACM
certificate validated through the hosted zone, external-dns limited to that zone, cluster-vars."""

from __future__ import annotations

import pytest

from .helpers import as_list, one, resources, statements, text

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_one_certificate_for_the_app_hosts_validated_through_the_zone(synthesis, platform, env):
    dns = platform.env(env).dns
    certificate = one(synthesis, env, "AWS::CertificateManager::Certificate")
    assert certificate["DomainName"] == dns.certificate_names[0]
    assert certificate.get("SubjectAlternativeNames", []) == list(dns.certificate_names[1:])
    assert certificate["ValidationMethod"] == "DNS"
    assert certificate["DomainValidationOptions"] == [
        {"DomainName": name, "HostedZoneId": dns.zone_id} for name in dns.certificate_names]


@pytest.mark.parametrize("env", ENVS)
def test_external_dns_may_change_records_only_in_the_environments_zone(synthesis, platform, env):
    dns = platform.env(env).dns
    found = statements(synthesis, env, f"innovate-{env}-external-dns")
    changes = [s for s in found if "route53:ChangeResourceRecordSets" in as_list(s["Action"])]
    assert changes and all(as_list(s["Resource"]) == [dns.zone_arn] for s in changes)
    assert "hostedzone/*" not in text(found)
    wildcard = [s for s in found if as_list(s["Resource"]) == ["*"]]
    assert [as_list(s["Action"]) for s in wildcard] == [["route53:ListHostedZones"]]


@pytest.mark.parametrize("env", ENVS)
def test_cluster_vars_carry_the_certificate_arn_and_the_hosts(synthesis, platform, env):
    certificate = one(synthesis, env, "AWS::CertificateManager::Certificate")
    manifest = text(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"])
    assert '\\"certificate_arn\\":\\"' in manifest and certificate["_id"] in manifest
    for app, host in platform.env(env).dns.hosts.items():
        assert f'\\"{app}_host\\":\\"{host}\\"' in manifest


@pytest.mark.parametrize("env", ENVS)
def test_a_regional_web_acl_with_managed_groups_and_a_per_ip_rate_limit(synthesis, env):
    acl = one(synthesis, env, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = {r["Name"]: r for r in acl["Rules"]}
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        assert rules[group]["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": group}
        assert rules[group]["OverrideAction"] == {"None": {}}  # the groups' own block actions apply
    rate = rules["RatePerClientIp"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Statement"]["RateBasedStatement"]["Limit"] > 0
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"])
    manifest = text(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"])
    assert '\\"waf_acl_arn\\":\\"' in manifest and acl["_id"] in manifest


@pytest.mark.parametrize("env", ENVS)
def test_the_alb_log_bucket_takes_elb_delivery_only_and_keeps_logs_for_the_retention(synthesis, platform, env):
    environment = platform.env(env)
    (bucket,) = [b for b in resources(synthesis, env, "AWS::S3::Bucket")
                 if b.get("BucketName") == f"innovate-{env}-alb-logs-{environment.account}"]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256"  # the only encryption ALB log delivery supports
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (expiry,) = bucket["LifecycleConfiguration"]["Rules"]
    assert expiry["ExpirationInDays"] == environment.log_retention_days
    policy = next(p for p in resources(synthesis, env, "AWS::S3::BucketPolicy") if p["Bucket"]["Ref"] == bucket["_id"])
    (delivery,) = [s for s in policy["PolicyDocument"]["Statement"] if s.get("Sid") == "ElbLogDelivery"]
    # Elastic Load Balancing's log-delivery account for us-east-1 (AWS ELB user guide; aws_cdk.region_info)
    assert "127311923021" in text(delivery["Principal"])
    assert delivery["Action"] == "s3:PutObject"
    assert f"/*/AWSLogs/{environment.account}/*" in text(delivery["Resource"])
    manifest = text(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"])
    assert f'\\"alb_log_bucket\\":' in manifest
