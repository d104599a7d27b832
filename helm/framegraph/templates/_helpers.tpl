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

{{/*
Refuse values that cannot work, each with one line naming the value to change. The JSON schema
checks types and names (feature names included: scripts/chart-catalog); these are the checks it
cannot express (relations between values). Rendered from templates/validate.yaml, so `helm
template` and `helm install` fail; `helm lint` reports a template `fail` only as [INFO], which
scripts/deploy-check turns into a failure. Settings of a disabled part (autoscaling off, the shared
Triton's rollout in sidecar mode; GPUs off, in the schema) are not checked: they break nothing.
*/}}
{{- define "framegraph.validate" -}}
{{- $t := .Values.triton }}
{{- $sidecar := eq $t.mode "sidecar" }}
{{- /* Streams: unique names, resource names within 63 characters. */}}
{{- $seen := dict }}
{{- $enabled := list }}
{{- range .Values.streams }}
{{- if hasKey $seen .name }}
{{- fail (printf "streams: the name %q is used twice; stream names must be unique" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- $full := printf "%s-stream-%s" (include "framegraph.fullname" $) .name }}
{{- if gt (len $full) 63 }}
{{- fail (printf "streams: %q makes the resource name %q longer than 63 characters; shorten the stream name or set fullnameOverride" .name $full) }}
{{- end }}
{{- if ne .enabled false }}
{{- $enabled = append $enabled . }}
{{- end }}
{{- end }}
{{- /* Resources: `resources: null` removes the chart's defaults; a container needs requests and a memory limit. */}}
{{- if not $t.resources }}
{{- fail "triton.resources is null or empty: Triton would run without CPU/memory requests or a memory limit; set triton.resources (requests.cpu, requests.memory, limits.memory)" }}
{{- end }}
{{- range $enabled }}
{{- if not (or .resources $.Values.worker.resources) }}
{{- fail (printf "worker.resources is null or empty and stream %q sets none: its worker would run without CPU/memory requests or a memory limit; set worker.resources (or the stream's resources)" .name) }}
{{- end }}
{{- end }}
{{- /* Auth: one source of the token. */}}
{{- if and .Values.worker.auth.existingSecret .Values.worker.auth.token }}
{{- fail (printf "worker.auth: existingSecret (%q) and token are both set, and the token would be ignored; set only one" .Values.worker.auth.existingSecret) }}
{{- end }}
{{- /* Triton's ports, and the worker's beside them in sidecar mode (one network namespace). */}}
{{- $ports := dict }}
{{- range $name := list "http" "grpc" "metrics" }}
{{- $port := toString (int (get $t.ports $name)) }}
{{- if hasKey $ports $port }}
{{- fail (printf "triton.ports: %s and %s are both %s; each Triton endpoint needs its own port" (get $ports $port) $name $port) }}
{{- end }}
{{- $_ := set $ports $port $name }}
{{- end }}
{{- if $sidecar }}
{{- $port := toString (int .Values.worker.port) }}
{{- if hasKey $ports $port }}
{{- fail (printf "triton.mode=sidecar: worker.port %s is also triton.ports.%s, and the worker and Triton share the pod's network; choose another worker.port" $port (get $ports $port)) }}
{{- end }}
{{- end }}
{{- /* Autoscaling: only a shared Triton Deployment can be scaled, within a non-empty range. */}}
{{- if $t.autoscaling.enabled }}
{{- if $sidecar }}
{{- fail "triton.autoscaling.enabled needs triton.mode=shared: in sidecar mode each stream's pod runs its own Triton and there is no Triton Deployment to scale" }}
{{- end }}
{{- if gt (int $t.autoscaling.minReplicas) (int $t.autoscaling.maxReplicas) }}
{{- fail (printf "triton.autoscaling: minReplicas (%d) is greater than maxReplicas (%d)" (int $t.autoscaling.minReplicas) (int $t.autoscaling.maxReplicas)) }}
{{- end }}
{{- end }}
{{- /* The shared Triton: replicas for the streams, and a rollout that keeps serving. */}}
{{- if not $sidecar }}
{{- $replicas := int (ternary $t.autoscaling.minReplicas $t.replicas $t.autoscaling.enabled) }}
{{- if and (eq $replicas 0) $enabled }}
{{- fail (printf "triton.replicas is 0 while %d stream(s) are enabled: their workers would never reach a Triton; set triton.replicas to 1 or more (or disable the streams)" (len $enabled)) }}
{{- end }}
{{- $ru := $t.rollingUpdate }}
{{- $surge := $ru.maxSurge }}
{{- $unavailable := $ru.maxUnavailable }}
{{- if and (or (eq (toString $surge) "0") (eq (toString $surge) "0%")) (or (eq (toString $unavailable) "0") (eq (toString $unavailable) "0%")) }}
{{- fail "triton.rollingUpdate: maxSurge and maxUnavailable are both 0, so a rollout could never replace a pod; set maxSurge to 1 (needs a spare GPU) or maxUnavailable to 1 (needs 2 or more replicas)" }}
{{- end }}
{{- if and (not (kindIs "string" $unavailable)) (gt $replicas 0) (ge (int $unavailable) $replicas) }}
{{- fail (printf "triton.rollingUpdate.maxUnavailable (%d) would take all %d Triton replica(s) down during a rollout; set maxUnavailable to 0 and maxSurge to 1, or run more replicas" (int $unavailable) $replicas) }}
{{- end }}
{{- if ge (int $t.preStopSleepSeconds) (int $t.terminationGracePeriodSeconds) }}
{{- fail (printf "triton.preStopSleepSeconds (%d) must be less than triton.terminationGracePeriodSeconds (%d), or Triton is killed before it can drain" (int $t.preStopSleepSeconds) (int $t.terminationGracePeriodSeconds)) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Triton's pod annotations: triton.podAnnotations and the model repository's version label. */}}
{{- define "framegraph.triton.podAnnotations" -}}
{{- $a := deepCopy (default dict .Values.triton.podAnnotations) }}
{{- with .Values.triton.modelRepository.version }}
{{- /* Changing it changes the pod template: Kubernetes rolls Triton out. */}}
{{- $_ := set $a "framegraph.io/model-repository-version" . }}
{{- end }}
{{- with $a }}
{{- toYaml . }}
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
  {{- if and (eq .Values.triton.mode "shared") .Values.triton.preStopSleepSeconds }}
  lifecycle:
    # Keep serving while the Service drops this pod, so no new connection lands on it.
    preStop:
      exec:
        command: ["sleep", "{{ .Values.triton.preStopSleepSeconds }}"]
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
