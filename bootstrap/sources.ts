/**
 * What the bootstrap reads from the repository besides its own config: the main program's
 * stack files (the fleets, their stacks and their record name) and, for the one
 * repository-wide stack, the other bootstrap stack files, whose subjects the Pulumi issuer
 * must also accept.
 */
import * as path from "node:path";
import { fleetOf } from "../config";
import { clusterName } from "../facts/workload";
import {
    knownFleets,
    listStacks,
    loadStackFile as loadStack,
    readProject,
    resolveConfig,
    ROOT,
    StackFileError,
} from "../config/stackFiles";
import { BootstrapConfig, BootstrapConfigError, parseBootstrapConfig, projectKeys } from "./config";
import type { FleetTable } from "./data";

export const BOOTSTRAP_DIR = __dirname;

/** One main-program fleet as the bootstrap needs it. */
export interface Fleet {
    readonly name: string;
    /** Its stack names, each a GitHub environment. */
    readonly stacks: string[];
    /** The record every stack of the fleet publishes: the only name its deploy role may write. */
    readonly recordName: string;
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

/**
 * The tables of the fleets this account runs, each from its stack files: its name, its first
 * region (the bootstrap's own), the other regions as replicas, and its clusters. A fleet without
 * a table has none. Refused: a fleet the bootstrap's region does not serve (the table's first
 * replica would sit where no stack runs), and two fleets naming one table.
 */
export function fleetTablesOf(config: BootstrapConfig, root = ROOT): FleetTable[] {
    const project = readProject(root).name;
    const fleets = [...config.fleets, ...(config.rehearsal ? [REHEARSAL_FLEET] : [])];
    const problems: string[] = [];
    const tables = fleets.flatMap((fleet) => {
        const stacks = listStacks(root)
            .filter((s) => fleetOf(s) === fleet)
            .map((s) => loadStack(s, root));
        const table = stacks[0]?.data.table;
        if (table === undefined) return [];
        const regions = stacks.map((s) => s.region);
        if (!regions.includes(config.region)) {
            problems.push(
                `${config.project}:region: got ${config.region}, where fleet ${fleet} has no stack; allowed: one of ${regions.join(", ")}, where its table ${table} starts`,
            );
        }
        const clusters = stacks.map((s) => ({ name: clusterName(project, s.stack), region: s.region }));
        return [{ fleet, table, home: config.region, replicas: regions.filter((r) => r !== config.region), clusters }];
    });
    const names = tables.map((t) => t.table);
    for (const [i, name] of names.entries()) {
        if (names.indexOf(name) !== i)
            problems.push(`${config.project}:fleets: two fleets of this account name the table ${name}; give each its own dataTable`);
    }
    if (problems.length > 0) throw new BootstrapConfigError(problems, config.stack);
    return tables;
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
