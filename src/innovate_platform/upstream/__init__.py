"""The real upstream charts the platform installs: where their packages live, which Kubernetes
minors each component supports, and rendering them exactly as Flux (or CDK) would."""
