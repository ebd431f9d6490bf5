{{/* Names and labels shared by every Innovate application chart. */}}

{{- define "innovate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name; a release named like its chart (HelmRelease "api" of chart "api") keeps the short name. */}}
{{- define "innovate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "innovate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable for the life of a release (never add version labels here). */}}
{{- define "innovate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "innovate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "innovate.labels" -}}
helm.sh/chart: {{ include "innovate.chart" . }}
{{ include "innovate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: {{ .Values.component }}
app.kubernetes.io/part-of: innovate
app.kubernetes.io/managed-by: {{ .Release.Service }}
innovate.io/team: {{ .Values.team }}
{{- end -}}

{{- define "innovate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "innovate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "innovate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository .Values.image.tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}
{{- end -}}

{{/* checkov's "image should use digest" (CKV_K8S_43), skipped on this one workload, with its reason, only while
the app image is referenced by tag: our ECR keeps sha-* and X.Y.Z tags immutable (docs/adr/0006, 0018). */}}
{{- define "innovate.imageDigestSkip" -}}
{{- if not .Values.image.digest -}}
checkov.io/skip1: "CKV_K8S_43=our ECR image by its immutable sha-* or X.Y.Z tag (docs/adr/0006 and 0018); set image.digest to pin it"
{{- end -}}
{{- end -}}

{{/* Pod Security "restricted" container securityContext: fixed, not overridable from values. */}}
{{- define "innovate.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Checks the schema cannot express; each failure names the value to fix. */}}
{{- define "innovate.validate" -}}
{{- $a := .Values.autoscaling -}}
{{- if and (ne $a.mode "off") (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- end -}}
{{- $shutdown := add .Values.shutdown.preStopSleepSeconds .Values.shutdown.appGracefulTimeoutSeconds -}}
{{- if le (int .Values.shutdown.terminationGracePeriodSeconds) (int $shutdown) -}}
{{- fail (printf "shutdown.terminationGracePeriodSeconds (%d) must exceed shutdown.preStopSleepSeconds + shutdown.appGracefulTimeoutSeconds (%d), or in-flight requests are killed" (int .Values.shutdown.terminationGracePeriodSeconds) (int $shutdown)) -}}
{{- end -}}
{{- if and (eq .Values.topologySpread.zone.whenUnsatisfiable "ScheduleAnyway") .Values.topologySpread.zone.minDomains -}}
{{- fail "topologySpread.zone.minDomains needs topologySpread.zone.whenUnsatisfiable: DoNotSchedule" -}}
{{- end -}}
{{- end -}}
