// A local stand-in for the official kured chart (kubereboot/kured 6.1.x), which cannot be
// downloaded here: the same value names (image.*, fullnameOverride, dsAnnotations, podLabels,
// configuration.*, extraArgs) turned into kured's arguments the way the official chart does it
// (each configuration value written unquoted as `--flag=value` when set, lists repeated, extraArgs
// as `--key=value`, the host's /var/run at /sentinel unless a sentinel command is set), and the
// same kinds of objects: ServiceAccount, ClusterRole/Binding, Role/Binding, DaemonSet, all named
// by the chart's fullname rule. Written by the tests; not a copy of the official templates.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** configuration.* scalar values and the kured flag each becomes (the official chart's mapping). */
const SCALAR_FLAGS: readonly (readonly [string, string])[] = [
  ['metricsHost', 'metrics-host'],
  ['metricsPort', 'metrics-port'],
  ['lockTtl', 'lock-ttl'],
  ['lockReleaseDelay', 'lock-release-delay'],
  ['alertFilterRegexp', 'alert-filter-regexp'],
  ['alertFiringOnly', 'alert-firing-only'],
  ['alertFilterMatchOnly', 'alert-filter-match-only'],
  ['endTime', 'end-time'],
  ['lockAnnotation', 'lock-annotation'],
  ['period', 'period'],
  ['drainGracePeriod', 'drain-grace-period'],
  ['drainPodSelector', 'drain-pod-selector'],
  ['drainDelay', 'drain-delay'],
  ['drainTimeout', 'drain-timeout'],
  ['skipWaitForDeleteTimeout', 'skip-wait-for-delete-timeout'],
  ['prometheusUrl', 'prometheus-url'],
  ['rebootSentinel', 'reboot-sentinel'],
  ['rebootSentinelCommand', 'reboot-sentinel-command'],
  ['rebootCommand', 'reboot-command'],
  ['rebootDelay', 'reboot-delay'],
  ['notifyUrl', 'notify-url'],
  ['startTime', 'start-time'],
  ['timeZone', 'time-zone'],
  ['annotateNodes', 'annotate-nodes'],
  ['preferNoScheduleTaint', 'prefer-no-schedule-taint'],
  ['logFormat', 'log-format'],
  ['concurrency', 'concurrency'],
];

const LIST_FLAGS: readonly (readonly [string, string])[] = [
  ['blockingPodSelector', 'blocking-pod-selector'],
  ['rebootDays', 'reboot-days'],
  ['preRebootNodeLabels', 'pre-reboot-node-labels'],
  ['postRebootNodeLabels', 'post-reboot-node-labels'],
];

const CHART_YAML = `apiVersion: v1
name: kured
version: 6.1.0
appVersion: "1.23.0"
description: Local stand-in for the kured chart (patchwindow cluster tests)
`;

const VALUES_YAML = `image:
  repository: ghcr.io/kubereboot/kured
  tag: ""
  pullPolicy: IfNotPresent
nameOverride: ""
fullnameOverride: ""
dsAnnotations: {}
podLabels: {}
extraArgs: {}
affinity: {}
configuration:
  useRebootSentinelHostPath: true
  metricsPort: 8080
  lockTtl: 0
  alertFiringOnly: false
  alertFilterMatchOnly: false
  blockingPodSelector: []
  rebootDays: []
  preRebootNodeLabels: []
  postRebootNodeLabels: []
  forceReboot: false
  annotateNodes: false
  logFormat: text
  rebootCommand: /bin/systemctl reboot
  concurrency: 1
`;

const HELPERS = `{{- define "kured.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "kured.fullname" -}}
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
{{- define "kured.matchLabels" -}}
app.kubernetes.io/name: {{ include "kured.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "kured.labels" -}}
{{ include "kured.matchLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
`;

const RBAC = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "kured.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "kured.labels" . | nindent 4 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ include "kured.fullname" . }}
  labels: {{- include "kured.labels" . | nindent 4 }}
rules:
  - apiGroups: [""]
    resources: [nodes]
    verbs: [get, patch]
  - apiGroups: [""]
    resources: [pods]
    verbs: [get, list, delete]
  - apiGroups: [""]
    resources: [pods/eviction]
    verbs: [create]
  - apiGroups: [apps]
    resources: [daemonsets]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ include "kured.fullname" . }}
  labels: {{- include "kured.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ include "kured.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "kured.fullname" . }}
    namespace: {{ .Release.Namespace }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "kured.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "kured.labels" . | nindent 4 }}
rules:
  - apiGroups: [apps]
    resources: [daemonsets]
    resourceNames: [{{ include "kured.fullname" . }}]
    verbs: [update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "kured.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "kured.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "kured.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "kured.fullname" . }}
    namespace: {{ .Release.Namespace }}
`;

function daemonSetTemplate(): string {
  const pairs = (flags: readonly (readonly [string, string])[]): string => flags.map(([key, flag]) => `(list "${key}" "${flag}")`).join(' ');
  return `{{- $c := .Values.configuration }}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ include "kured.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "kured.labels" . | nindent 4 }}
  {{- with .Values.dsAnnotations }}
  annotations:
    {{- range $key, $value := . }}
    {{ $key }}: {{ $value | quote }}
    {{- end }}
  {{- end }}
spec:
  updateStrategy:
    type: RollingUpdate
  selector:
    matchLabels: {{- include "kured.matchLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "kured.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "kured.fullname" . }}
      hostPID: true
      restartPolicy: Always
      {{- with .Values.affinity }}
      affinity: {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: kured
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            privileged: true
          command:
            - /usr/bin/kured
          args:
            - --ds-name={{ include "kured.fullname" . }}
            - --ds-namespace={{ .Release.Namespace }}
            {{- range $pair := list ${pairs(SCALAR_FLAGS)} }}
            {{- $value := index $c (index $pair 0) }}
            {{- if $value }}
            - --{{ index $pair 1 }}={{ $value }}
            {{- end }}
            {{- end }}
            {{- range $pair := list ${pairs(LIST_FLAGS)} }}
            {{- range (index $c (index $pair 0)) }}
            - --{{ index $pair 1 }}={{ . }}
            {{- end }}
            {{- end }}
            {{- if $c.forceReboot }}
            - --force-reboot
            {{- end }}
            {{- range $key, $value := .Values.extraArgs }}
            {{- if $value }}
            - --{{ $key }}={{ $value }}
            {{- else }}
            - --{{ $key }}
            {{- end }}
            {{- end }}
          env:
            - name: KURED_NODE_ID
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          {{- if and $c.useRebootSentinelHostPath (not $c.rebootSentinelCommand) }}
          volumeMounts:
            - name: sentinel
              mountPath: /sentinel
              readOnly: true
          {{- end }}
      {{- if and $c.useRebootSentinelHostPath (not $c.rebootSentinelCommand) }}
      volumes:
        - name: sentinel
          hostPath:
            path: /var/run
      {{- end }}
`;
}

/** Writes the chart into `dir` (created) and returns `dir`. */
export function writeKuredChart(dir: string): string {
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  writeFileSync(path.join(dir, 'Chart.yaml'), CHART_YAML);
  writeFileSync(path.join(dir, 'values.yaml'), VALUES_YAML);
  writeFileSync(path.join(dir, 'templates', '_helpers.tpl'), HELPERS);
  writeFileSync(path.join(dir, 'templates', 'rbac.yaml'), RBAC);
  writeFileSync(path.join(dir, 'templates', 'daemonset.yaml'), daemonSetTemplate());
  return dir;
}
