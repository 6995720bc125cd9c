{{/*
Names, labels and values used by more than one template. Object names follow the kustomize
manifests with `patchwindow` replaced by the fullname, so `helm install patchwindow` gives the
same names as manifests/bot and manifests/agent.
*/}}

{{- define "patchwindow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "patchwindow.fullname" -}}
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

{{/* The bot's Deployment, ServiceAccount, ClusterRole, Roles and Lease. */}}
{{- define "patchwindow.botName" -}}
{{- printf "%s-bot" (include "patchwindow.fullname" .) }}
{{- end }}

{{/* The agent's DaemonSet, ServiceAccount and ClusterRole. */}}
{{- define "patchwindow.agentName" -}}
{{- printf "%s-agent" (include "patchwindow.fullname" .) }}
{{- end }}

{{/*
Labels of every object: the component's selector labels (as in kustomize) and Helm's usual ones.
Call with (dict "root" $ "component" "bot").
*/}}
{{- define "patchwindow.labels" -}}
{{ include "patchwindow.selectorLabels" . }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selectors: name and component only, as manifests/bot and manifests/agent (selectors are immutable,
so a Deployment applied by kustomize can be taken over by the chart). Pod templates add the instance.
*/}}
{{- define "patchwindow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "patchwindow.name" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "patchwindow.podLabels" -}}
{{ include "patchwindow.selectorLabels" . }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* repository:tag (tag defaults to appVersion) or repository@digest. */}}
{{- define "patchwindow.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* kured's namespace: the bot's Role and RoleBinding, and its cluster-scoped names. */}}
{{- define "patchwindow.kuredNamespace" -}}
{{- required "bot.kured.namespace is required" .Values.bot.kured.namespace }}
{{- end }}

{{/* A settings map (bot.config, agent.config) as env entries; a list becomes comma-separated. */}}
{{- define "patchwindow.configEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ if kindIs "slice" $value }}{{ join "," $value | quote }}{{ else }}{{ toString $value | quote }}{{ end }}
{{- end }}
{{- end }}

{{/* imagePullSecrets entries from a list of names or of {name: ...}. */}}
{{- define "patchwindow.imagePullSecrets" -}}
{{- range . }}
- name: {{ if kindIs "map" . }}{{ .name }}{{ else }}{{ . }}{{ end }}
{{- end }}
{{- end }}
