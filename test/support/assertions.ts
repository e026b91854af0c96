import { strict as assert } from "node:assert";

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
        () => assert.fail("expected a failure"),
        (err: unknown) => err,
    );
}
