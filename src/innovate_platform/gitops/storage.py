"""The default StorageClass: encrypted gp3 volumes from the EBS CSI driver (the EKS add-on CDK installs).

Since EKS 1.30, new clusters get the `gp2` StorageClass without the default annotation, so a
PersistentVolumeClaim without `storageClassName` stays Pending unless something is marked default.
`gp3` is: encrypted (the account's EBS key), ext4, bound where the pod lands (WaitForFirstConsumer,
so Karpenter and the scheduler pick the zone), expandable. `gp2` is left as EKS made it: on a
cluster created before 1.30 it still carries the default annotation, and Kubernetes (1.26+) then
uses the most recently created default class, which is `gp3`. No VolumeSnapshotClass: the
snapshot CRDs (snapshot.storage.k8s.io) come with the snapshot controller, which the platform does
not install (docs/adr/0011-default-storage-class.md).
"""

from __future__ import annotations

from ..config import Environment, Platform
from .objects import Obj, meta

STORAGE_CLASS = "gp3"
DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"


def storage_class(env: Environment) -> Obj:
    metadata = meta(STORAGE_CLASS)
    metadata["annotations"] = {DEFAULT_ANNOTATION: "true"}
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": metadata,
        "provisioner": EBS_CSI_PROVISIONER,
        "parameters": {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
        # prod keeps a released volume until someone deletes it; elsewhere it goes with its claim.
        "reclaimPolicy": "Retain" if env.name == "prod" else "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True,
    }


def render_storage(platform: Platform, env: Environment) -> list[Obj]:
    """The default StorageClass of the cluster (the EBS CSI add-on is in every environment)."""
    return [storage_class(env)] if "aws-ebs-csi-driver" in platform.versions.addons else []
