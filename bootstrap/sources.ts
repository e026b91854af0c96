/**
 * What the bootstrap reads from the repository besides its own config: the main program's
 * stack files (the fleets, their stacks and their record name) and, for the one
 * repository-wide stack, the other bootstrap stack files, whose subjects the Pulumi issuer
 * must also accept.
 */
import * as path from "node:path";
import { fleetOf } from "../config";
import { clusterName } from "../facts/workload";
import { listStacks, loadStackFile as loadStack, readProject, resolveConfig, ROOT, StackFileError } from "../config/stackFiles";
import { BootstrapConfig, BootstrapConfigError, parseBootstrapConfig, projectKeys } from "./config";

export const BOOTSTRAP_DIR = __dirname;

/** One main-program fleet as the bootstrap needs it. */
export interface Fleet {
    readonly name: string;
    /** Its stack names, each a GitHub environment. */
    readonly stacks: string[];
    /** The record every stack of the fleet publishes: the only name its deploy role may write. */
    readonly recordName: string;
}

/** The fleets that have stack files at the repository root. */
export function knownFleets(root = ROOT): string[] {
    return [...new Set(listStacks(root).map(fleetOf))].sort();
}

/** The fleets this account serves, read from their stack files; they must share one record name. */
export function servedFleets(config: BootstrapConfig, root = ROOT): Fleet[] {
    const fleets = config.fleets.map((name) => {
        const stacks = listStacks(root).filter((s) => fleetOf(s) === name);
        const names = [...new Set(stacks.map((s) => loadStack(s, root).failover.recordName))];
        if (names.length !== 1) {
            throw new BootstrapConfigError(
                [
                    `${config.project}:fleets: fleet ${name}'s stack files name ${names.join(" and ")}; its deploy role can write one record name`,
                ],
                config.stack,
            );
        }
        return { name, stacks, recordName: names[0]! };
    });
    const records = [...new Set(fleets.map((f) => f.recordName))];
    if (records.length > 1) {
        throw new BootstrapConfigError(
            [
                `${config.project}:fleets: got ${JSON.stringify(config.fleets)}, whose records differ (${records.join(", ")}); allowed: fleets that share a record name: give each environment its own account`,
            ],
            config.stack,
        );
    }
    return fleets;
}

/** The fleet the nightly rehearsal brings up and destroys, in the account with `rehearsal: true`. */
export const REHEARSAL_FLEET = "ci";

/** Every cluster this account runs, by name and region: its served fleets' stacks, and the rehearsal's. */
export function clustersOf(config: BootstrapConfig, root = ROOT): { name: string; region: string }[] {
    const project = readProject(root).name;
    const fleets = [...config.fleets, ...(config.rehearsal ? [REHEARSAL_FLEET] : [])];
    return listStacks(root)
        .filter((s) => fleets.includes(fleetOf(s)))
        .map((s) => ({ name: clusterName(project, s), region: loadStack(s, root).region }));
}

/** Bootstrap stack names: every `bootstrap/Pulumi.<stack>.yaml`. */
export function listBootstrapStacks(dir = BOOTSTRAP_DIR): string[] {
    return listStacks(dir);
}

/** A bootstrap stack file's typed config, as `pulumi up` of that stack would parse it. */
export function loadBootstrapStack(stack: string, dir = BOOTSTRAP_DIR, root = ROOT): BootstrapConfig {
    const project = readProject(dir);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    try {
        return parseBootstrapConfig(projectKeys(resolveConfig(project, file), project.name), {
            project: project.name,
            stack,
            knownFleets: knownFleets(root),
        });
    } catch (err) {
        if (err instanceof BootstrapConfigError) throw new StackFileError(`bootstrap/${path.basename(file)}`, err.problems);
        throw err;
    }
}
