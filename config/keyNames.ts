/**
 * Keys a stack file holds that the program would never read: another namespace than the
 * project's, or a name close to a real key (a rename, a typo). Each gets one line that names
 * the key as written and the one meant.
 */

/** Namespaces of the packages this program configures besides its own: their keys are theirs to read. */
export const PROVIDER_NAMESPACES = ["aws", "kubernetes", "pulumi"] as const;

/** Edit distance between two strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++) {
            row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
        }
        prev = row;
    }
    return prev[b.length]!;
}

/**
 * The known key `name` most likely means: the same name in another case, or one within a
 * third of its length in edits (at most 3), the closest first; undefined when none is close.
 */
export function closestKey(name: string, known: readonly string[]): string | undefined {
    const lower = name.toLowerCase();
    const same = known.find((k) => k.toLowerCase() === lower);
    if (same) return same;
    const scored = known
        .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
        .filter(({ k, d }) => d <= Math.min(3, Math.floor(k.length / 3)))
        .sort((a, b) => a.d - b.d);
    return scored[0]?.k;
}

/**
 * A problem per key in a flat `namespace:key` map that belongs to neither the project nor a
 * provider this program uses, such as `multi-region:azCount`; the project's own keys are
 * checked by the parser.
 */
export function foreignNamespaceProblems(all: Readonly<Record<string, unknown>>, project: string, known: readonly string[]): string[] {
    const problems: string[] = [];
    for (const key of Object.keys(all)) {
        const at = key.indexOf(":");
        if (at < 0) continue;
        const namespace = key.slice(0, at);
        if (namespace === project || (PROVIDER_NAMESPACES as readonly string[]).includes(namespace)) continue;
        const meant = closestKey(key.slice(at + 1), known);
        const hint = meant ? `did you mean ${project}:${meant}?` : "remove it";
        problems.push(
            `${key}: not read: namespace "${namespace}" is neither this project's (${project}) nor a provider's (${PROVIDER_NAMESPACES.join(", ")}); ${hint}`,
        );
    }
    return problems;
}
