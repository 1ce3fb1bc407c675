#!/usr/bin/env node
// Validates rendered Kubernetes manifests with kubeconform against the Kubernetes API's own
// schema, everything from the Go module proxy (GitHub's raw files, where kubeconform looks by
// default, cannot be reached here):
//
//   node scripts/kubeconform.mjs <rendered.yaml>
//
// 1. kubeconform (github.com/yannh/kubeconform, KUBECONFORM_VERSION) with `go install`;
// 2. the OpenAPI document of Kubernetes KUBERNETES_VERSION (k8s.io/kubernetes's
//    api/openapi-spec/swagger.json) with `go mod download`;
// 3. for each kind the file uses, a standalone strict JSON schema (the kind's definition and
//    every definition it reaches; objects refuse properties they do not declare), named as
//    kubeconform's schema-location template asks;
// 4. kubeconform -summary on the file. Exit code: kubeconform's (1 on any invalid resource).
// WORK_DIR (default .cache/kubeconform) keeps the binary and the schemas between runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KUBECONFORM_VERSION = process.env.KUBECONFORM_VERSION || 'v0.8.0';
const KUBERNETES_VERSION = process.env.KUBERNETES_VERSION || 'v1.37.2';
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error('usage: node scripts/kubeconform.mjs <rendered manifests .yaml>');
  process.exit(2);
}
const work = path.resolve(process.env.WORK_DIR || '.cache/kubeconform');
const bin = path.join(work, 'bin');
mkdirSync(bin, { recursive: true });
const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
const env = {
  ...process.env,
  GOBIN: bin,
  GOMODCACHE: path.join(work, 'gomod'),
  GOFLAGS: '-mod=mod',
};

const kubeconform = path.join(bin, 'kubeconform');
if (!existsSync(kubeconform)) {
  console.log(`kubeconform ${KUBECONFORM_VERSION}: go install`);
  execFileSync(
    go,
    ['install', `github.com/yannh/kubeconform/cmd/kubeconform@${KUBECONFORM_VERSION}`],
    {
      env,
      stdio: 'inherit',
    },
  );
}

const schemas = path.join(work, `schemas-${KUBERNETES_VERSION}`);
mkdirSync(schemas, { recursive: true });
const module = JSON.parse(
  execFileSync(go, ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBERNETES_VERSION}`], {
    env,
    encoding: 'utf8',
  }),
);
const swagger = JSON.parse(
  readFileSync(path.join(module.Dir, 'api/openapi-spec/swagger.json'), 'utf8'),
);
const definitions = swagger.definitions;

// Which kinds the file holds (apiVersion + kind of each document).
const kinds = new Set();
for (const doc of readFileSync(file, 'utf8').split(/^---\s*$/m)) {
  const apiVersion = /^apiVersion:\s*(\S+)/m.exec(doc)?.[1];
  const kind = /^kind:\s*(\S+)/m.exec(doc)?.[1];
  if (apiVersion && kind) kinds.add(`${apiVersion} ${kind}`);
}

/** Every definition reachable from `name`, by its $refs. */
function closure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  JSON.stringify(definitions[name], (key, value) => {
    if (key === '$ref' && typeof value === 'string')
      closure(value.replace('#/definitions/', ''), seen);
    return value;
  });
  return seen;
}

/** Strict: an object that names its properties refuses others (as kubeconform's -strict schemas). */
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  // As kubeconform's own schemas have them (openapi2jsonschema): int-or-string and quantities
  // take either form.
  if (schema.format === 'int-or-string')
    return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false;
  return out;
}

for (const entry of kinds) {
  const [apiVersion, kind] = entry.split(' ');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const name = Object.keys(definitions).find((n) =>
    (definitions[n]['x-kubernetes-group-version-kind'] ?? []).some(
      (g) => g.group === group && g.version === version && g.kind === kind,
    ),
  );
  if (!name) {
    console.error(`${apiVersion} ${kind}: not a kind of Kubernetes ${KUBERNETES_VERSION}`);
    process.exit(1);
  }
  const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
  const target = path.join(schemas, `${kind.toLowerCase()}${suffix}.json`);
  const reached = Object.fromEntries([...closure(name)].map((n) => [n, definitions[n]]));
  const quantity = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
  if (reached[quantity]) reached[quantity] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  writeFileSync(
    target,
    JSON.stringify(
      strict({
        $schema: 'http://json-schema.org/draft-04/schema#',
        ...definitions[name],
        definitions: reached,
      }),
    ),
  );
}

console.log(
  `kubeconform ${KUBECONFORM_VERSION}, Kubernetes ${KUBERNETES_VERSION} schemas: ${[...kinds].sort().join(', ')}`,
);
try {
  execFileSync(
    kubeconform,
    [
      '-summary',
      '-output',
      'text',
      '-schema-location',
      `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      file,
    ],
    { stdio: 'inherit' },
  );
} catch (err) {
  process.exit(err.status ?? 1);
}
