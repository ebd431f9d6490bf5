{{/* The application's Deployment: Pod Security "restricted", probes, graceful shutdown, zone and host spread. */}}
{{- define "innovate.deployment" -}}
{{- include "innovate.validate" . -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
  {{- with include "innovate.imageDigestSkip" . }}
  annotations:
    {{- . | nindent 4 }}
  {{- end }}
spec:
  {{- if eq .Values.autoscaling.mode "off" }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  {{- /* With autoscaling on, replicas is left to the HPA/KEDA so a GitOps sync never resets it. */}}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: {{ .Values.rollingUpdate.maxSurge }}
      maxUnavailable: {{ .Values.rollingUpdate.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "innovate.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "innovate.labels" . | nindent 8 }}
      {{- if or .Values.metrics.enabled .Values.podAnnotations }}
      annotations:
        {{- if .Values.metrics.enabled }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .Values.containerPort | quote }}
        prometheus.io/path: {{ .Values.metrics.path | quote }}
        {{- end }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "innovate.serviceAccountName" . }}
      automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
      priorityClassName: {{ .Values.priorityClassName }}
      terminationGracePeriodSeconds: {{ .Values.shutdown.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ .Values.securityContext.runAsUser }}
        runAsGroup: {{ .Values.securityContext.runAsGroup }}
        fsGroup: {{ .Values.securityContext.runAsGroup }}
        seccompProfile:
          type: RuntimeDefault
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if .Values.placement.onDemandOnly }}
      affinity:
        nodeAffinity:
          # On-demand capacity only: a managed node group's ON_DEMAND nodes OR Karpenter's on-demand nodes.
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - key: eks.amazonaws.com/capacityType
                    operator: In
                    values: ["ON_DEMAND"]
              - matchExpressions:
                  - key: karpenter.sh/capacity-type
                    operator: In
                    values: ["on-demand"]
      {{- end }}
      {{- if or .Values.placement.onDemandOnly .Values.tolerations }}
      tolerations:
        {{- if .Values.placement.onDemandOnly }}
        # The prod on-demand Karpenter NodePool taints its nodes so only workloads that ask land there.
        - key: innovate.io/lifecycle
          operator: Equal
          value: on-demand
          effect: NoSchedule
        {{- end }}
        {{- with .Values.tolerations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      topologySpreadConstraints:
        - topologyKey: topology.kubernetes.io/zone
          maxSkew: {{ .Values.topologySpread.zone.maxSkew }}
          whenUnsatisfiable: {{ .Values.topologySpread.zone.whenUnsatisfiable }}
          {{- with .Values.topologySpread.zone.minDomains }}
          minDomains: {{ . }}
          {{- end }}
          matchLabelKeys: ["pod-template-hash"]
          labelSelector:
            matchLabels:
              {{- include "innovate.selectorLabels" . | nindent 14 }}
        - topologyKey: kubernetes.io/hostname
          maxSkew: {{ .Values.topologySpread.hostname.maxSkew }}
          whenUnsatisfiable: {{ .Values.topologySpread.hostname.whenUnsatisfiable }}
          matchLabelKeys: ["pod-template-hash"]
          labelSelector:
            matchLabels:
              {{- include "innovate.selectorLabels" . | nindent 14 }}
      containers:
        - name: {{ include "innovate.name" . }}
          image: {{ include "innovate.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.containerPort }}
              protocol: TCP
          {{- if or .Values.env .Values.shutdown.gracefulTimeoutEnv }}
          env:
            {{- include "innovate.env" . | trim | nindent 12 }}
          {{- end }}
          securityContext:
            {{- include "innovate.containerSecurityContext" . | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          startupProbe:
            httpGet:
              path: {{ .Values.probes.startup.path }}
              port: http
            periodSeconds: {{ .Values.probes.startup.periodSeconds }}
            timeoutSeconds: {{ .Values.probes.startup.timeoutSeconds }}
            failureThreshold: {{ .Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: {{ .Values.probes.liveness.path }}
              port: http
            periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: {{ .Values.probes.readiness.path }}
              port: http
            periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
          lifecycle:
            preStop:
              # Native sleep (no shell in the image needed): endpoints and the ALB deregister
              # the pod before the app gets SIGTERM.
              sleep:
                seconds: {{ .Values.shutdown.preStopSleepSeconds }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- range .Values.extraEmptyDirs }}
            - name: {{ .name }}
              mountPath: {{ .mountPath }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .Values.tmpSizeLimit }}
        {{- range .Values.extraEmptyDirs }}
        - name: {{ .name }}
          emptyDir:
            sizeLimit: {{ .sizeLimit }}
        {{- end }}
{{- end -}}

{{/* The container environment: values' env (sorted) plus the graceful timeout the pod's budget allows. */}}
{{- define "innovate.env" -}}
{{- range $name := keys .Values.env | sortAlpha }}
- name: {{ $name }}
  value: {{ get $.Values.env $name | toString | quote }}
{{- end }}
{{- with .Values.shutdown.gracefulTimeoutEnv }}
# The app's graceful timeout, tied to the pod's termination budget (checked at render).
- name: {{ . }}
  value: {{ $.Values.shutdown.appGracefulTimeoutSeconds | quote }}
{{- end }}
{{- end -}}
