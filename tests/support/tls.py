"""Throwaway certificate authorities for TLS tests (openssl, nothing leaves the temporary directory)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@dataclass(frozen=True)
class CertificateAuthority:
    """A self-signed CA (``cert``, ``key``) that can sign server certificates."""

    directory: Path
    name: str

    @property
    def cert(self) -> Path:
        return self.directory / f"{self.name}-ca.crt"

    @property
    def key(self) -> Path:
        return self.directory / f"{self.name}-ca.key"

    def sign_server(self, host_ip: str, key: Path, cert: Path) -> None:
        """A server key and certificate for ``host_ip`` (CN and IP subjectAltName), signed by this CA."""
        csr = cert.with_suffix(".csr")
        extensions = cert.with_suffix(".ext")
        extensions.write_text(f"subjectAltName = IP:{host_ip}\nextendedKeyUsage = serverAuth\n")
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={host_ip}",
                 "-keyout", str(key), "-out", str(csr))
        _openssl("x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
                 "-CAcreateserial", "-days", "1", "-extfile", str(extensions), "-out", str(cert))


def make_ca(directory: Path, name: str) -> CertificateAuthority:
    ca = CertificateAuthority(directory, name)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN=Throwaway {name} CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", str(ca.key), "-out", str(ca.cert))
    return ca
