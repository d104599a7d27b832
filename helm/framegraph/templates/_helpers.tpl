{{/* Chart name, truncated to a DNS label. */}}
{{- define "framegraph.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the prefix of every resource name. */}}
{{- define "framegraph.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "framegraph.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every resource (Kubernetes recommended labels). */}}
{{- define "framegraph.labels" -}}
helm.sh/chart: {{ include "framegraph.chart" . }}
{{ include "framegraph.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: framegraph
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "framegraph.selectorLabels" -}}
app.kubernetes.io/name: {{ include "framegraph.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Triton resources. */}}
{{- define "framegraph.triton.fullname" -}}
{{- printf "%s-triton" (include "framegraph.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "framegraph.triton.selectorLabels" -}}
{{ include "framegraph.selectorLabels" . }}
app.kubernetes.io/component: triton
{{- end }}

{{/* Worker resources; call with (dict "root" $ "stream" $stream). */}}
{{- define "framegraph.stream.fullname" -}}
{{- printf "%s-stream-%s" (include "framegraph.fullname" .root) .stream.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "framegraph.stream.selectorLabels" -}}
{{ include "framegraph.selectorLabels" .root }}
app.kubernetes.io/component: worker
framegraph.io/stream: {{ .stream.name }}
{{- end }}

{{- define "framegraph.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "framegraph.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* image reference: repository:tag[@digest]; call with (dict "image" .Values.x.image "root" $). */}}
{{- define "framegraph.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag }}
{{- if .image.digest }}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret holding the worker token, or "" when no auth. */}}
{{- define "framegraph.authSecretName" -}}
{{- if .Values.worker.auth.existingSecret }}
{{- .Values.worker.auth.existingSecret }}
{{- else if .Values.worker.auth.token }}
{{- printf "%s-auth" (include "framegraph.fullname" .) }}
{{- end }}
{{- end }}

{{/* Enabled streams, after checks the JSON schema cannot express (unique names, name length). */}}
{{- define "framegraph.validateStreams" -}}
{{- $seen := dict }}
{{- range .Values.streams }}
{{- if hasKey $seen .name }}
{{- fail (printf "streams: the name %q is used twice; stream names must be unique" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- $full := printf "%s-stream-%s" (include "framegraph.fullname" $) .name }}
{{- if gt (len $full) 63 }}
{{- fail (printf "streams: %q makes the resource name %q longer than 63 characters; shorten the stream name or set fullnameOverride" .name $full) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Triton container (used by the shared Deployment and by the sidecar mode). */}}
{{- define "framegraph.triton.container" -}}
- name: triton
  image: {{ include "framegraph.image" (dict "image" .Values.triton.image "root" .) }}
  imagePullPolicy: {{ .Values.triton.image.pullPolicy }}
  args:
    - tritonserver
    - --model-repository={{ .Values.triton.modelRepository.path }}
    - --http-port={{ .Values.triton.ports.http }}
    - --grpc-port={{ .Values.triton.ports.grpc }}
    - --metrics-port={{ .Values.triton.ports.metrics }}
    - --allow-metrics=true
    - --allow-gpu-metrics={{ .Values.triton.gpu.enabled }}
    - --strict-readiness=true
    - --exit-on-error=true
    {{- range .Values.triton.extraArgs }}
    - {{ . | quote }}
    {{- end }}
  {{- with .Values.triton.env }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    - name: triton-http
      containerPort: {{ .Values.triton.ports.http }}
      protocol: TCP
    - name: triton-grpc
      containerPort: {{ .Values.triton.ports.grpc }}
      protocol: TCP
    - name: triton-metrics
      containerPort: {{ .Values.triton.ports.metrics }}
      protocol: TCP
  {{- with .Values.triton.startupProbe }}
  startupProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.triton.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.triton.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $resources := deepCopy (default dict .Values.triton.resources) }}
  {{- if .Values.triton.gpu.enabled }}
  {{- $limits := default dict (get $resources "limits") }}
  {{- $_ := set $limits .Values.triton.gpu.resourceName .Values.triton.gpu.count }}
  {{- $_ := set $resources "limits" $limits }}
  {{- end }}
  resources:
    {{- toYaml $resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.triton.securityContext | nindent 4 }}
  volumeMounts:
    - name: dshm
      mountPath: /dev/shm
    - name: triton-tmp
      mountPath: /tmp
    {{- if .Values.triton.modelRepository.volume }}
    - name: models
      mountPath: {{ .Values.triton.modelRepository.path }}
      readOnly: true
    {{- end }}
{{- end }}
