/**
 * The data tier's IAM (#19): the drill's own items in the fleet's table, and nothing that deletes or
 * rewrites the data, for the deploy role within its boundary, even widened; the preview reads no item.
 */
import { strict as assert } from "node:assert";
import { allowedWithin, evaluate, Request } from "./support/iamPolicies";
import { BOUNDARY, DEPLOY, PREVIEW, widened } from "./support/iamCases";
import { DRILL_TABLE_CHECKS } from "./support/iamTable";

describe("the data tier's IAM", () => {
    it("lets the drill write and read its own items in the fleet's table, and no other item, and never delete or rewrite the data", () => {
        const request = (action: string, keys?: string[], resource = DRILL_TABLE_CHECKS[0]!.arn): Request => ({
            action,
            resource,
            context: keys === undefined ? {} : { "dynamodb:LeadingKeys": keys },
        });
        assert.deepEqual(
            DRILL_TABLE_CHECKS.filter((c) => !allowedWithin(DEPLOY, BOUNDARY, { action: c.action, resource: c.arn, context: c.context })),
            [],
        );
        for (const denied of [
            request("dynamodb:UpdateItem", ["/"]),
            request("dynamodb:GetItem", ["/"]),
            request("dynamodb:UpdateItem", ["drill:x", "/"]),
            request("dynamodb:UpdateItem"),
            request("dynamodb:UpdateItem", ["drill:x"], "arn:aws:dynamodb:eu-west-1:123456789012:table/another-app"),
            request("dynamodb:PutItem", ["drill:x"]),
            request("dynamodb:DeleteItem", ["drill:x"]),
            request("dynamodb:DeleteTable"),
            request("dynamodb:UpdateTable"),
            request("dynamodb:Scan"),
        ]) {
            assert.ok(!allowedWithin(DEPLOY, BOUNDARY, denied), JSON.stringify(denied));
        }
        // Even widened to administrator, the boundary keeps the data.
        for (const action of ["dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:PutItem", "dynamodb:DeleteItem"]) {
            assert.ok(!allowedWithin(widened(DEPLOY), BOUNDARY, request(action, ["/"])), action);
        }
        // A preview never reads an item.
        assert.equal(evaluate(PREVIEW, request("dynamodb:GetItem", ["/"])), "deny");
    });
});
