/**
 * The decision rules of docs/authorization.md §Evaluation, pure: a user's grants in one namespace
 * (their own, their groups' and their unexpired roles', from common-resource grants and data
 * policies alike) folded into one table of resource path → allowed and denied actions.
 *
 * - Exact resources (string, array, a common resource): the node of that code decides.
 * - Tree paths: the deepest node on the path that says anything about the action decides, so a path
 *   grants its subtree unless a deeper node says otherwise.
 * - On one node, DENY beats ALLOW; `*` stands for every action.
 */

export interface GrantLine {
  resource: string;
  effect: "ALLOW" | "DENY";
  actions: readonly string[];
}

/**
 * A resource's actions, each named once, in the order first granted. Arrays, created when the first
 * action arrives: a node names one to a few actions, where two Sets per node held ~300 bytes each in
 * a cached user's grants over a 1,000-resource namespace (docs/performance.md §Memory under load).
 */
interface Node {
  allow?: string[];
  deny?: string[];
}

function withAction(list: string[] | undefined, action: string): string[] {
  if (!list) return [action];
  if (!list.includes(action)) list.push(action);
  return list;
}

function mentions(list: string[] | undefined, action: string): boolean {
  return list !== undefined && (list.includes(action) || list.includes(ANY_ACTION));
}

export const ANY_ACTION = "*";

export class Grants {
  readonly #nodes = new Map<string, Node>();

  constructor(lines: Iterable<GrantLine>) {
    for (const line of lines) {
      let node = this.#nodes.get(line.resource);
      if (!node) {
        node = {};
        this.#nodes.set(line.resource, node);
      }
      for (const a of line.actions) {
        if (line.effect === "DENY") node.deny = withAction(node.deny, a);
        else node.allow = withAction(node.allow, a);
      }
    }
  }

  get size(): number {
    return this.#nodes.size;
  }

  /** What one node says about an action: true, false, or nothing (undefined). */
  #says(resource: string, action: string): boolean | undefined {
    const node = this.#nodes.get(resource);
    if (!node) return undefined;
    if (mentions(node.deny, action)) return false;
    if (mentions(node.allow, action)) return true;
    return undefined;
  }

  /** A string or array resource, or a common resource: its own node decides. */
  allowsExact(resource: string, action: string): boolean {
    return this.#says(resource, action) === true;
  }

  /** A tree path `code/a/b`: the deepest node on the path with a say decides. */
  allowsPath(path: string, action: string): boolean {
    let at = path;
    for (;;) {
      const said = this.#says(at, action);
      if (said !== undefined) return said;
      const cut = at.lastIndexOf("/");
      if (cut <= 0) return false;
      at = at.slice(0, cut);
    }
  }

  /** The actions a node grants by itself (ALLOW minus DENY), `*` kept as written. */
  actionsAt(resource: string): string[] {
    const node = this.#nodes.get(resource);
    if (!node?.allow || node.deny?.includes(ANY_ACTION)) return [];
    const { deny } = node;
    return deny ? node.allow.filter((a) => !deny.includes(a)) : [...node.allow];
  }

  /** The actions a tree path grants, inherited ones included, out of `candidates`. */
  actionsOnPath(path: string, candidates: readonly string[]): string[] {
    return candidates.filter((a) => this.allowsPath(path, a));
  }

  /** Every action any node names, `*` left out. */
  actionNames(): Set<string> {
    const names = new Set<string>();
    for (const node of this.#nodes.values()) {
      for (const a of node.allow ?? []) if (a !== ANY_ACTION) names.add(a);
      for (const a of node.deny ?? []) if (a !== ANY_ACTION) names.add(a);
    }
    return names;
  }

  /** Every node with something allowed, in insertion order. */
  *allowedNodes(): Iterable<[string, string[]]> {
    for (const resource of this.#nodes.keys()) {
      const actions = this.actionsAt(resource);
      if (actions.length > 0) yield [resource, actions];
    }
  }
}

/**
 * The grant lines a data policy statement holds for one namespace. A permission is
 * `<namespace>/<resource>[/<tree path>…]/<action>`; other namespaces' are skipped.
 */
export function statementLines(
  namespaceCode: string,
  statements: readonly { effect: string; permissions: readonly string[] }[],
): GrantLine[] {
  const lines: GrantLine[] = [];
  const prefix = `${namespaceCode}/`;
  for (const s of statements) {
    for (const p of s.permissions) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const cut = rest.lastIndexOf("/");
      if (cut <= 0) continue;
      lines.push({
        resource: rest.slice(0, cut),
        effect: s.effect === "DENY" ? "DENY" : "ALLOW",
        actions: [rest.slice(cut + 1)],
      });
    }
  }
  return lines;
}
