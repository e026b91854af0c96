/** Reading IAM roles and subnets back from a recorded run. */
import { strict as assert } from "node:assert";
import { mockId, mockName } from "./fixtures";
import type { ProgramRun } from "./run";

const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** Who may assume the role, and with which actions. */
export function trustOf(run: ProgramRun, roleName: string): { service: string; actions: string[] } {
    const policy = JSON.parse(run.resources.get(ROLE, roleName).inputs.assumeRolePolicy);
    assert.equal(policy.Statement.length, 1);
    assert.equal(policy.Statement[0].Effect, "Allow");
    return { service: policy.Statement[0].Principal.Service, actions: [policy.Statement[0].Action].flat() };
}

/** The AWS managed policies attached to the role, by name. */
export function policiesOf(run: ProgramRun, roleName: string): string[] {
    return run.resources
        .ofType(ATTACHMENT)
        .filter((a) => a.inputs.role === mockName(roleName))
        .map((a) => a.inputs.policyArn.replace("arn:aws:iam::aws:policy/", ""))
        .sort();
}

export function privateSubnetIds(run: ProgramRun): string[] {
    return run.resources
        .ofType("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith(`${run.stack}-private-`))
        .map((s) => mockId(s.name))
        .sort();
}
