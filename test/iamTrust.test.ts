/**
 * Who may become each CI role: exact GitHub subjects (repository, environment, workflow file and
 * ref, with the repository's customised OIDC subject), the prod ones derived from the stack files.
 */
import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { ACCOUNT, REPO } from "./support/iamCases";
import { evaluate, list, policyFiles, readPolicy } from "./support/iamPolicies";

describe("the GitHub OIDC trust policies: exact subjects of this repository's workflows on main", () => {
    const trust = (file: string) => readPolicy(file, REPO);
    const subjectsOf = (file: string) =>
        trust(file).Statement.flatMap((s) =>
            Object.values(s.Condition ?? {}).flatMap((b) => list(b["token.actions.githubusercontent.com:sub"])),
        );
    const workflow = (name: string, ref = "refs/heads/main") => `octo-org/multiregion/.github/workflows/${name}@${ref}`;
    /** The customised subject: repo, context, job_workflow_ref (docs/cicd.md, GitHub's OIDC reference). */
    const sub = (context: string, file: string, ref?: string) =>
        `repo:octo-org/multiregion:${context}:ref:${ref ?? "refs/heads/main"}:job_workflow_ref:${workflow(file, ref)}`;
    const assume = (file: string, subject: string, aud = "sts.amazonaws.com") =>
        evaluate(trust(file), {
            action: "sts:AssumeRoleWithWebIdentity",
            context: { "token.actions.githubusercontent.com:aud": aud, "token.actions.githubusercontent.com:sub": subject },
        }) === "allow";

    it("trust only GitHub's OIDC provider in the role's own account, for STS's audience", () => {
        for (const file of policyFiles().filter((f) => f.startsWith("github-trust-"))) {
            for (const s of trust(file).Statement)
                assert.deepEqual(s.Principal, { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` });
            const [first] = subjectsOf(file);
            assert.ok(first && !assume(file, first.replace("*", "1/merge"), "https://github.com/octo-org"), file);
        }
    });

    it("deploy: one StringEquals subject per prod stack file, from deploy-stack.yml on main, and the switchover's", () => {
        const prod = listStacks().filter((s) => s.startsWith("prod-"));
        assert.ok(prod.length >= 2);
        const statements = trust("github-trust-deploy.json").Statement;
        assert.ok(
            statements.every((s) => !Object.keys(s.Condition ?? {}).some((op) => op.includes("Like"))),
            "no wildcards",
        );
        const expected = [
            ...prod.map((stack) => sub(`environment:${stack}`, "deploy-stack.yml")),
            sub("environment:prod-switchover", "switchover.yml"),
        ];
        // Fails both when a stack file has no line and when a line names no stack.
        assert.deepEqual([...subjectsOf("github-trust-deploy.json")].sort(), expected.sort());
        for (const subject of expected) assert.ok(assume("github-trust-deploy.json", subject), subject);
    });

    it("deploy: refuses a made-up environment, another workflow or branch, a PR, a fork, the old subject form", () => {
        for (const subject of [
            sub("environment:prod-us2", "deploy-stack.yml"),
            sub("environment:prod-something", "deploy-stack.yml"),
            sub("environment:prod-us", "deploy-stack.yml", "refs/heads/feature"),
            // A workflow on another branch calling deploy-stack.yml@main: the called file's
            // job_workflow_ref, but the caller's ref (GitHub, OIDC with reusable workflows).
            sub("environment:prod-us", "deploy-stack.yml").replace(":ref:refs/heads/main:", ":ref:refs/heads/feature:"),
            sub("environment:prod-us", "preview.yml"),
            sub("environment:prod-us", "switchover.yml"),
            sub("environment:prod-switchover", "deploy-stack.yml"),
            sub("environment:sandbox", "nightly.yml"),
            sub("pull_request", "preview.yml", "refs/pull/1/merge"),
            sub("environment:prod-us", "deploy-stack.yml").replace("octo-org/multiregion:", "octo-org/multiregion-fork:"),
            "repo:octo-org/multiregion:environment:prod-us",
        ])
            assert.ok(!assume("github-trust-deploy.json", subject), subject);
    });

    it("preview: this repository's preview.yml on its pull requests only", () => {
        assert.ok(assume("github-trust-preview.json", sub("pull_request", "preview.yml", "refs/pull/42/merge")));
        for (const subject of [
            sub("pull_request", "deploy-stack.yml", "refs/pull/42/merge"),
            sub("environment:prod-us", "preview.yml", "refs/pull/42/merge"),
            sub("pull_request", "preview.yml", "refs/heads/main"),
            "repo:octo-org/multiregion:pull_request",
            sub("pull_request", "preview.yml", "refs/pull/42/merge").replace("octo-org/multiregion:", "octo-org/other:"),
        ])
            assert.ok(!assume("github-trust-preview.json", subject), subject);
    });

    it("rehearsal: nightly.yml on main in the sandbox environment only", () => {
        assert.deepEqual(subjectsOf("github-trust-rehearsal.json"), [sub("environment:sandbox", "nightly.yml")]);
        assert.ok(assume("github-trust-rehearsal.json", sub("environment:sandbox", "nightly.yml")));
        for (const subject of [
            sub("environment:sandbox", "nightly.yml", "refs/heads/feature"),
            sub("environment:sandbox", "deploy-stack.yml"),
            sub("environment:prod-us", "nightly.yml"),
        ])
            assert.ok(!assume("github-trust-rehearsal.json", subject), subject);
    });
});
