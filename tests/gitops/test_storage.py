"""A default, encrypted gp3 StorageClass for the EBS CSI add-on in every cluster (kubectl-built tree)."""

from __future__ import annotations

import pytest

from innovate_platform.checks.manifests import validate_object

ENVS = ("dev", "staging", "prod")
DEFAULT = "storageclass.kubernetes.io/is-default-class"


@pytest.mark.parametrize("env", ENVS)
def test_exactly_one_default_storage_class_encrypted_gp3_on_ebs_csi(env, objects, select, platform):
    """Fails on the tree before this change: no StorageClass at all, so a claim without one stays Pending."""
    classes = select(objects[env], "StorageClass")
    defaults = [c for c in classes if (c["metadata"].get("annotations") or {}).get(DEFAULT) == "true"]
    assert [c["metadata"]["name"] for c in defaults] == ["gp3"]
    (gp3,) = defaults
    assert "aws-ebs-csi-driver" in platform.versions.addons  # the driver that serves the provisioner
    assert gp3["provisioner"] == "ebs.csi.aws.com"
    assert gp3["parameters"]["type"] == "gp3" and gp3["parameters"]["encrypted"] == "true"
    assert gp3["volumeBindingMode"] == "WaitForFirstConsumer" and gp3["allowVolumeExpansion"] is True
    assert gp3["reclaimPolicy"] == ("Retain" if env == "prod" else "Delete")
    assert validate_object(gp3, platform.versions.kubernetes) == []


@pytest.mark.parametrize("env", ENVS)
def test_gp2_is_never_marked_default_and_no_snapshot_class_without_its_crds(env, objects, select):
    assert not select(objects[env], "StorageClass", name="gp2")  # EKS's own; 1.30+ creates it without the annotation
    assert not [o for o in objects[env] if o["apiVersion"].startswith("snapshot.storage.k8s.io/")]
    assert not select(objects[env], "CustomResourceDefinition")  # the snapshot CRDs are not installed


def test_the_layer_that_holds_it_is_built_by_kustomize(built):
    for env in ENVS:
        assert "kind: StorageClass" in built[(env, "infrastructure/configs")]
