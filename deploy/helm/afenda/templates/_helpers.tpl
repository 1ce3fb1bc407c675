{{/* Chart name, possibly overridden. */}}
{{- define "afenda.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name, at most 63 characters. */}}
{{- define "afenda.fullname" -}}
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

{{- define "afenda.orchestrator.fullname" -}}
{{- printf "%s-orchestrator" (include "afenda.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "afenda.shell.fullname" -}}
{{- printf "%s-shell" (include "afenda.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "afenda.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object. */}}
{{- define "afenda.labels" -}}
helm.sh/chart: {{ include "afenda.chart" . }}
app.kubernetes.io/name: {{ include "afenda.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: afenda
{{- end -}}

{{/* Selector labels of one component: include with (dict "ctx" $ "component" "orchestrator"). */}}
{{- define "afenda.selectorLabels" -}}
app.kubernetes.io/name: {{ include "afenda.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "afenda.componentLabels" -}}
{{ include "afenda.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "afenda.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "afenda.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* image reference: include with (dict "ctx" $ "image" .Values.orchestrator.image). */}}
{{- define "afenda.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}

{{/* The Secret with the credentials; fails the render when it is not named. */}}
{{- define "afenda.secretName" -}}
{{- required "secrets.existingSecret is required: create a Secret with DATABASE_URL, SETTINGS_ENCRYPTION_KEY (and DATABASE_ADMIN_URL, REDIS_URL) first; see deploy/README.md" .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Public origin, from the ingress host, used for PUBLIC_URL and CORS_ORIGINS defaults. */}}
{{- define "afenda.publicOrigin" -}}
{{- if .Values.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" (.Values.ingress.tls.enabled | default false)) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/* Soft spreading of a component's replicas over nodes. */}}
{{- define "afenda.topologySpread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "afenda.selectorLabels" . | nindent 8 }}
{{- end -}}

{{/* Database and settings-key variables shared by the Deployment and the migration Job. */}}
{{- define "afenda.orchestrator.secretEnv" -}}
{{- $secret := include "afenda.secretName" .ctx -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ .ctx.Values.secrets.keys.databaseUrl }}
{{- if .admin }}
- name: DATABASE_ADMIN_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ .ctx.Values.secrets.keys.databaseAdminUrl }}
      optional: {{ .adminOptional }}
{{- end }}
- name: SETTINGS_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ .ctx.Values.secrets.keys.settingsEncryptionKey }}
{{- end -}}
