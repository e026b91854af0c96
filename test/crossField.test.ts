import { strict as assert } from "node:assert";
import {
    azCountWithinRegion,
    CROSS_FIELD_RULES,
    maxCoversFloors,
    noCnameAtApex,
    principalInOneList,
    recordInsideZone,
    rolesInStackAccount,
    standbyWithinActive,
    subscribersInStackAccount,
    Values,
} from "../config";
import { parseValues, projectValues } from "../config/parse";
import { resolveStackConfig } from "../tools/stacks";

/** prod-us's valid values with `change` applied: each rule sees a real stack's values. */
function valuesWith(change: Partial<Values>): Values {
    return { ...parseValues(projectValues(resolveStackConfig("prod-us"), "multiregion"), "multiregion"), ...change };
}

describe("cross-field rules", () => {
    const cases: [string, (typeof CROSS_FIELD_RULES)[number], Partial<Values>, string | undefined][] = [
        ["six zones in us-east-1", azCountWithinRegion, { region: "us-east-1", azCount: 6 }, undefined],
        [
            "four zones in eu-west-1",
            azCountWithinRegion,
            { region: "eu-west-1", azCount: 4 },
            "multiregion:azCount: got 4; allowed: at most 3, the zones eu-west-1 has (eu-west-1a, eu-west-1b, eu-west-1c)",
        ],
        ["a principal in one list", principalInOneList, { adminPrincipalArns: ["arn:aws:iam::123456789012:role/A"] }, undefined],
        [
            "a principal in both lists",
            principalInOneList,
            { adminPrincipalArns: ["arn:aws:iam::123456789012:role/A"], viewerPrincipalArns: ["arn:aws:iam::123456789012:role/A"] },
            'multiregion:viewerPrincipalArns: got ["arn:aws:iam::123456789012:role/A"], also in adminPrincipalArns; allowed: each principal in one list',
        ],
        [
            "the preview role also an admin",
            principalInOneList,
            { previewRoleArn: "arn:aws:iam::123456789012:role/multiregion-deploy" },
            'multiregion:previewRoleArn: got "arn:aws:iam::123456789012:role/multiregion-deploy", also an admin; allowed: a role that only previews',
        ],
        [
            "the deploy role listed again as an admin",
            principalInOneList,
            { adminPrincipalArns: ["arn:aws:iam::123456789012:role/multiregion-deploy"] },
            'multiregion:adminPrincipalArns: got "arn:aws:iam::123456789012:role/multiregion-deploy", the deployRoleArn; allowed: other principals (the deploy role is an admin already)',
        ],
        ["CI's roles in the stack's account", rolesInStackAccount, {}, undefined],
        [
            "a deploy role from another account",
            rolesInStackAccount,
            { deployRoleArn: "arn:aws:iam::999999999999:role/multiregion-deploy" },
            'multiregion:deployRoleArn: got "arn:aws:iam::999999999999:role/multiregion-deploy"; allowed: a role in account 123456789012, the accountId this stack deploys into',
        ],
        ["no preview role", rolesInStackAccount, { previewRoleArn: "" }, undefined],
        ["a ceiling at the active floor", maxCoversFloors, { activeReplicas: 3, maxReplicas: 3, replicasOverride: 0 }, undefined],
        [
            "a ceiling below the active floor",
            maxCoversFloors,
            { activeReplicas: 4, maxReplicas: 3, replicasOverride: 0 },
            "multiregion:maxReplicas: got 3; allowed: at least activeReplicas (4)",
        ],
        [
            "a ceiling below the switchover's override",
            maxCoversFloors,
            { activeReplicas: 3, maxReplicas: 5, replicasOverride: 6 },
            "multiregion:maxReplicas: got 5; allowed: at least replicasOverride (6)",
        ],
        ["a standby as large as the active", standbyWithinActive, { activeReplicas: 3, standbyReplicas: 3 }, undefined],
        [
            "a standby larger than the active",
            standbyWithinActive,
            { activeReplicas: 3, standbyReplicas: 4 },
            "multiregion:standbyReplicas: got 4; allowed: at most activeReplicas (3)",
        ],
        ["the apex of the zone", recordInsideZone, { hostedZone: { name: "example.com" }, recordName: "example.com" }, undefined],
        [
            "a look-alike zone",
            recordInsideZone,
            { hostedZone: { name: "example.com" }, recordName: "app.notexample.com" },
            'multiregion:recordName: got "app.notexample.com"; allowed: a name inside hostedZone "example.com"',
        ],
        [
            "a zone given by id, checked after the lookup",
            recordInsideZone,
            { hostedZone: { id: "Z123" }, recordName: "app.example.org" },
            undefined,
        ],
        ["a CNAME below the apex", noCnameAtApex, { recordType: "cname", recordName: "app.example.com" }, undefined],
        ["an alias at the apex", noCnameAtApex, { recordType: "alias", recordName: "example.com" }, undefined],
        [
            "a CNAME at the apex, the root dot aside",
            noCnameAtApex,
            { recordType: "cname", hostedZone: { name: "example.com" }, recordName: "example.com." },
            'multiregion:recordType: got "cname"; allowed: "alias" for recordName "example.com.", the apex of hosted zone "example.com" (Route 53 allows no CNAME at a zone apex)',
        ],
        [
            "a CNAME in a zone given by id, checked after the lookup",
            noCnameAtApex,
            { recordType: "cname", hostedZone: { id: "Z123" }, recordName: "example.com" },
            undefined,
        ],
        [
            "a queue and a function in the stack's account, and an email",
            subscribersInStackAccount,
            {
                alarmSubscriptions: [
                    { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:alarms" },
                    { protocol: "lambda", endpoint: "arn:aws:lambda:eu-west-1:123456789012:function:notify" },
                    { protocol: "email", endpoint: "ops@999999999999.example.com" },
                ],
            },
            undefined,
        ],
        [
            "two functions in other accounts",
            subscribersInStackAccount,
            {
                alarmSubscriptions: [
                    { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:999999999999:function:a" },
                    { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:888888888888:function:b" },
                ],
            },
            'multiregion:alarmSubscriptions: got ["arn:aws:lambda:us-east-1:999999999999:function:a","arn:aws:lambda:us-east-1:888888888888:function:b"]; allowed: queues and functions in account 123456789012, the accountId this stack deploys into',
        ],
    ];
    for (const [what, rule, change, expected] of cases) {
        it(`${expected ? "refuses" : "accepts"} ${what}`, () => assert.equal(rule.check(valuesWith(change), "multiregion"), expected));
    }

    it("every rule is in the list the parser runs, and each names the keys it reads", () => {
        assert.deepEqual(CROSS_FIELD_RULES, [
            azCountWithinRegion,
            principalInOneList,
            rolesInStackAccount,
            standbyWithinActive,
            maxCoversFloors,
            recordInsideZone,
            noCnameAtApex,
            subscribersInStackAccount,
        ]);
        for (const rule of CROSS_FIELD_RULES) assert.ok(rule.keys.length >= 2);
    });

    it("does not run a rule whose keys are invalid on their own, so one mistake is reported once", () => {
        const raw = { ...projectValues(resolveStackConfig("prod-us"), "multiregion"), standbyReplicas: "0", activeReplicas: "1" };
        assert.throws(
            () => parseValues(raw, "multiregion"),
            (err: Error & { problems?: string[] }) =>
                err.problems?.length === 2 && err.problems.every((p) => !p.includes("at most activeReplicas")),
        );
    });
});
