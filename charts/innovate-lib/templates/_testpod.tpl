{{/* `helm test` hook: GET the Service's health path from inside the namespace. Restricted like the app. */}}
{{- define "innovate.testPod" -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "innovate.fullname" . }}-test
  namespace: {{ .Release.Namespace }}
  labels:
    # Deliberately not the selector labels: the Service must never route to this pod.
    {{- include "innovate.testSelectorLabels" . | nindent 4 }}
    app.kubernetes.io/part-of: innovate
    innovate.io/team: {{ .Values.team }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  priorityClassName: {{ .Values.priorityClassName }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65534
    runAsGroup: 65534
    seccompProfile:
      type: RuntimeDefault
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: healthz
      image: {{ .Values.test.image | quote }}
      command: ["wget", "-q", "-O", "-", "-T", "5", "http://{{ include "innovate.fullname" . }}:80{{ .Values.probes.liveness.path }}"]
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        runAsNonRoot: true
        runAsUser: 65534
        runAsGroup: 65534
        capabilities:
          drop: ["ALL"]
        seccompProfile:
          type: RuntimeDefault
      resources:
        requests: {cpu: 10m, memory: 16Mi}
        limits: {cpu: 100m, memory: 32Mi}
{{- end -}}

{{/* Labels that select the `helm test` pod (and only it). */}}
{{- define "innovate.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "innovate.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
