{{/* Autoscaling: an HPA on CPU (mode cpu) or a KEDA ScaledObject on ALB requests per target (mode rps), never both. */}}
{{- define "innovate.hpa" -}}
{{- if eq .Values.autoscaling.mode "cpu" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "innovate.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.cpu.targetUtilization }}
{{- end -}}
{{- end -}}

{{- define "innovate.scaledObject" -}}
{{- if eq .Values.autoscaling.mode "rps" -}}
{{- $rps := .Values.autoscaling.rps -}}
{{- if not $rps.targetGroup -}}
{{- fail "autoscaling.rps.targetGroup is required when autoscaling.mode is rps (the ALB target group's CloudWatch dimension, e.g. targetgroup/k8s-api-api-0123456789/0123456789abcdef)" -}}
{{- end -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "innovate.fullname" . }}
  minReplicaCount: {{ .Values.autoscaling.minReplicas }}
  maxReplicaCount: {{ .Values.autoscaling.maxReplicas }}
  pollingInterval: {{ $rps.pollingIntervalSeconds }}
  cooldownPeriod: 300
  triggers:
    - type: aws-cloudwatch
      name: alb-requests-per-target
      # RequestCountPerTarget is already per pod, so the target is a Value (desired =
      # ceil(current x metric / target)), not an AverageValue that KEDA would divide again.
      metricType: Value
      metadata:
        namespace: AWS/ApplicationELB
        metricName: RequestCountPerTarget
        dimensionName: TargetGroup
        dimensionValue: {{ $rps.targetGroup | quote }}
        metricStat: Sum
        metricStatPeriod: {{ $rps.periodSeconds | quote }}
        metricCollectionTime: {{ mul $rps.periodSeconds 5 | quote }}
        # Skip the newest, still-filling minute: its partial Sum would read as a traffic drop.
        metricEndTimeOffset: "60"
        # Sum over the period per target = requests/s per pod x period seconds.
        targetMetricValue: {{ mul $rps.targetPerPod $rps.periodSeconds | quote }}
        minMetricValue: "0"
        awsRegion: {{ $rps.awsRegion | quote }}
        # KEDA's operator reads CloudWatch with its own IRSA role; the API's role stays app-only.
        # (Deprecated since KEDA 2.13 in favour of a TriggerAuthentication with podIdentity
        # provider aws + identityOwner keda; still honoured by KEDA 2.x.)
        identityOwner: operator
    - type: cpu
      name: cpu-floor
      metricType: Utilization
      metadata:
        value: {{ .Values.autoscaling.cpu.targetUtilization | quote }}
{{- end -}}
{{- end -}}
