/**
 * Shared facts for the IAM evaluator tests: the policy files as docs/iam.md installs them for one
 * account, well-known ARNs, and evaluator cases kept as data (the request, its context, the answer).
 */
import { strict as assert } from "node:assert";
import { allowedWithin, PolicyDocument, readPolicy, Request, Statement } from "./iamPolicies";

export const ACCOUNT = "123456789012";
export const REPO = { ACCOUNT_ID: ACCOUNT, OWNER: "octo-org", REPO: "multiregion", RECORD_NAME: "app.example.com" };
export const DEPLOY = readPolicy("deploy-policy.json", REPO);
export const BOUNDARY = readPolicy("deploy-boundary.json", REPO);
export const WORKLOAD = readPolicy("workload-boundary.json", REPO);
export const PREVIEW = readPolicy("preview-policy.json", REPO);
export const WORKLOAD_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multiregion-ci/multiregion-workload-boundary`;
export const DEPLOY_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multiregion-ci/multiregion-deploy-boundary`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/multiregion/multiregion-eks-cluster`;
/** The alias the bootstrap gives a cluster's secrets key (facts/workload.ts). */
export const SECRETS_ALIAS = "alias/multiregion-prod-us-eks-secrets";
export const KEY = `arn:aws:kms:us-east-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ADMIN: Statement = { Effect: "Allow", Action: "*", Resource: "*" };
/** The policy with AdministratorAccess added: what survives is its explicit denies. */
export const widened = (policy: PolicyDocument): PolicyDocument => ({ ...policy, Statement: [...policy.Statement, ADMIN] });

/** One evaluator case. */
export interface Case {
    readonly why: string;
    readonly request: Request;
    /** Whether the role, within its boundary, may. */
    readonly allowed: boolean;
}
const show = (c: Case) => `${c.why}: ${c.request.action} on ${c.request.resource ?? "*"} ${JSON.stringify(c.request.context ?? {})}`;

/** Asserts every case's answer, listing each one that differs. */
export function table(cases: Case[], policy = DEPLOY, boundary = BOUNDARY): void {
    assert.deepEqual(cases.filter((c) => allowedWithin(policy, boundary, c.request) !== c.allowed).map(show), []);
}
