/**
 * A small `kustomize build` for the deploy/ recipe, so its test needs no kustomize binary: the
 * fields deploy/ uses (resources, images, nameSuffix, labels, JSON 6902 patches by kind,
 * nameReference configurations) and nothing else; any other field throws, so the recipe cannot
 * grow past what the test understands. Where `kubectl` is installed the test compares this with
 * `kubectl kustomize`.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects, read as parsed YAML */
/** A Kubernetes object as parsed YAML. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

type PatchOp = { op: 'test' | 'replace' | 'add'; path: string; value: unknown };
type NameReference = { kind: string; fieldSpecs: Array<{ kind: string; path: string }> };

const knownFields = new Set(['apiVersion', 'kind', 'resources', 'images', 'nameSuffix', 'labels', 'patches', 'configurations']);
/** The references kustomize itself renames that deploy/ uses (a Deployment's envFrom and env refs). */
const builtinReferences: NameReference[] = [
  { kind: 'ConfigMap', fieldSpecs: [{ kind: 'Deployment', path: 'spec/template/spec/containers/*/envFrom/*/configMapRef/name' }] },
  { kind: 'Secret', fieldSpecs: [{ kind: 'Deployment', path: 'spec/template/spec/containers/*/env/*/valueFrom/secretKeyRef/name' }] },
];

/** Visits each value at a slash path (`*` walks an array), calling `update` with the holder and key. */
function visit(node: any, parts: string[], update: (holder: any, key: string) => void): void {
  if (node === null || typeof node !== 'object') return;
  const [head, ...rest] = parts as [string, ...string[]];
  if (head === '*') return Array.isArray(node) ? node.forEach((item) => visit(item, rest, update)) : undefined;
  if (!Object.hasOwn(node, head)) return;
  if (rest.length === 0) return update(node, head);
  visit(node[head], rest, update);
}

function applyPatch(target: Manifest, ops: PatchOp[], where: string): void {
  for (const { op, path: pointer, value } of ops) {
    const parts = pointer.split('/').slice(1);
    const key = parts.pop() as string;
    const holder = parts.reduce<any>((node, part) => node?.[Array.isArray(node) ? Number(part) : part], target);
    if (holder === undefined || holder === null) throw new Error(`${where}: ${pointer} does not exist in ${target.kind} ${target.metadata.name}`);
    if (op === 'test' && JSON.stringify(holder[key]) !== JSON.stringify(value)) throw new Error(`${where}: test of ${pointer} failed in ${target.metadata.name}: ${JSON.stringify(holder[key])}`);
    if (op === 'replace' && !Object.hasOwn(holder, key)) throw new Error(`${where}: cannot replace missing ${pointer}`);
    if (op === 'replace' || op === 'add') holder[key] = structuredClone(value);
    if (!['test', 'replace', 'add'].includes(op)) throw new Error(`${where}: unsupported patch op ${op}`);
  }
}

/** Builds the kustomization in `dir` as `kustomize build` would, for the fields above. */
export function kustomizeBuild(dir: string): Manifest[] {
  const k = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, any>;
  for (const field of Object.keys(k)) if (!knownFields.has(field)) throw new Error(`${dir}/kustomization.yaml: ${field} is not understood by test/helpers/kustomize.ts`);
  const objects: Manifest[] = (k.resources as string[]).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return kustomizeBuild(full);
    return parseAllDocuments(readFileSync(full, 'utf8')).map((doc) => {
      if (doc.errors.length) throw new Error(`${full}: ${doc.errors.join('; ')}`);
      return doc.toJS() as Manifest;
    });
  });
  const containers = (o: Manifest): Array<{ image: string }> => (o.kind === 'Deployment' ? o.spec.template.spec.containers : []);
  for (const image of (k.images ?? []) as Array<{ name: string; newName?: string; newTag?: string }>) {
    for (const c of objects.flatMap(containers)) {
      const [name, tag] = c.image.split(':') as [string, string | undefined];
      if (name === image.name) c.image = `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
    }
  }
  for (const patch of (k.patches ?? []) as Array<{ target: { kind: string }; patch: string }>) {
    const ops = parse(patch.patch) as PatchOp[];
    for (const o of objects.filter((m) => m.kind === patch.target.kind)) applyPatch(o, ops, `${dir} patch for ${patch.target.kind}`);
  }
  for (const label of (k.labels ?? []) as Array<{ pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }>) {
    for (const o of objects) {
      o.metadata.labels = { ...o.metadata.labels, ...label.pairs };
      if (o.kind !== 'Deployment') continue;
      if (label.includeSelectors) o.spec.selector.matchLabels = { ...o.spec.selector.matchLabels, ...label.pairs };
      if (label.includeSelectors || label.includeTemplates) o.spec.template.metadata.labels = { ...o.spec.template.metadata.labels, ...label.pairs };
    }
  }
  if (k.nameSuffix) {
    const references = [...builtinReferences, ...((k.configurations ?? []) as string[]).flatMap((file) => (parse(readFileSync(path.join(dir, file), 'utf8')) as { nameReference: NameReference[] }).nameReference)];
    const renamed = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, `${o.metadata.name}${k.nameSuffix}`]));
    for (const { kind, fieldSpecs } of references) {
      for (const spec of fieldSpecs) {
        for (const o of objects.filter((m) => m.kind === spec.kind)) {
          visit(o, spec.path.split('/'), (holder, key) => (holder[key] = renamed.get(`${kind}/${holder[key]}`) ?? holder[key]));
        }
      }
    }
    for (const o of objects) o.metadata.name = renamed.get(`${o.kind}/${o.metadata.name}`) as string;
  }
  return objects;
}
