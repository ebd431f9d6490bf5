"""cloudformation (real cfn-lint) and cdk-nag (CDK's validation report) findings name the env, resource and field."""

from __future__ import annotations

import json

from innovate_platform.checks import cdk_nag, cloudformation
from innovate_platform.checks.model import ERROR, NOTE


def test_a_cfn_lint_error_fails_and_a_warning_is_a_note(tmp_path):
    template = {"Resources": {
        "Attachments": {"Type": "AWS::S3::Bucket", "Properties": {"BucketNam": "oops"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": "vpc-12345678", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"}},
    }}
    path = tmp_path / "innovateprodplatform.template.json"
    path.write_text(json.dumps(template))
    findings = cloudformation.match_findings(cloudformation.lint([path]), {path.name: ("prod", "innovate-prod-platform")})
    errors = [f for f in findings if f.severity == ERROR]
    assert [(f.env, f.resource, f.field) for f in errors] == [("prod", "innovate-prod-platform/Attachments", "Properties.BucketNam")]
    assert "BucketNam" in errors[0].message
    notes = [f for f in findings if f.severity == NOTE]
    assert any(f.resource == "innovate-prod-platform/Subnet" and f.field == "Properties.AvailabilityZone" for f in notes)


def test_a_clean_template_has_no_error(tmp_path):
    path = tmp_path / "clean.template.json"
    path.write_text(json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": True}}}}))
    assert cloudformation.match_findings(cloudformation.lint([path]), {path.name: ("dev", "innovate-dev-platform")}) == []


REPORT = {"pluginReports": [{
    "pluginName": "AwsSolutions",
    "violations": [{"ruleName": "AwsSolutions-S1", "description": "The S3 Bucket has server access logs disabled.\nMore text.",
                    "violatingConstructs": [{"constructPath": "innovate-prod/platform/AppAccess/apiBucket/Resource",
                                             "cloudFormationResource": {"propertyPaths": ["Properties.LoggingConfiguration"]}}]}],
    "suppressedViolations": [{"ruleName": "AwsSolutions-IAM4[Policy::AmazonEKSClusterPolicy]",
                              "reason": "The EKS service role's documented AWS-maintained policy",
                              "acknowledgedAt": "innovate-dev/platform/Cluster/Cluster",
                              "violatingConstructs": [{"constructPath": "innovate-dev/platform/Cluster/Role/Resource"}]}],
}]}


def test_an_unacknowledged_nag_finding_fails_and_acknowledgements_keep_their_reason(platform):
    findings = cdk_nag.report_findings(platform, REPORT)
    error = next(f for f in findings if f.severity == ERROR)
    assert (error.env, error.resource, error.field) == (
        "prod", "innovate-prod/platform/AppAccess/apiBucket/Resource", "Properties.LoggingConfiguration")
    assert error.message == "AwsSolutions AwsSolutions-S1: The S3 Bucket has server access logs disabled."
    note = next(f for f in findings if f.severity == NOTE)
    assert note.env == "dev" and "documented AWS-maintained policy" in note.message
    assert "innovate-dev/platform/Cluster/Cluster" in note.message


def test_the_shared_stage_maps_to_shared(platform):
    assert cdk_nag.stage_env(platform, "innovate-shared/registry/Registry/api") == "shared"
    assert cdk_nag.stage_env(platform, "innovate-staging/ci/Deploy") == "staging"


def test_a_failed_synthesis_reports_each_unacknowledged_finding(platform, tmp_path):
    from innovate_platform.checks.inputs import CheckInputs
    from innovate_platform.checks.model import CheckUnavailable

    inputs = CheckInputs(platform, tmp_path, ("dev", "prod"), workdir=tmp_path)
    inputs.synth_outdir.mkdir()
    (inputs.synth_outdir / "validation-report.json").write_text(json.dumps(REPORT))
    inputs._values["synthesis"] = (False, CheckUnavailable("synthesis failed (AwsSolutions: ...); see the cdk-nag check"))
    findings = cdk_nag.run(inputs, ("dev", "prod"))
    assert [(f.env, f.severity, f.message.split(":")[0]) for f in findings] == [("prod", ERROR, "AwsSolutions AwsSolutions-S1")]
