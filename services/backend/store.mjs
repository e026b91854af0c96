// The backend's state: a visit counter per page in the fleet's DynamoDB table (facts/workload.ts
// names it and its attributes; a test keeps these two names equal to DATA_TABLE). The AWS SDK is
// imported only when a table is configured, so the stateless backend never loads it.
import { StartupError } from "../shared/settings.mjs";

/** The table's partition key: the page's path. */
export const HASH_KEY = "page";
/** The counter, a number added to atomically. */
export const COUNTER = "visits";

/**
 * CreateTable's input for a local copy of the fleet's table (npm start, the bench, tests): keyed
 * as the fleet's, on-demand. The fleet's own table is the infrastructure's.
 * @param {string} tableName
 */
export function localTableDefinition(tableName) {
    return {
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: HASH_KEY, AttributeType: /** @type {const} */ ("S") }],
        KeySchema: [{ AttributeName: HASH_KEY, KeyType: /** @type {const} */ ("HASH") }],
        BillingMode: /** @type {const} */ ("PAY_PER_REQUEST"),
    };
}

/** The one item the backend counts: the page. */
export const PAGE = "/";

/**
 * Why a pod in the cluster has no AWS credentials, or undefined. EKS adds Pod Identity's variables
 * only when it admits a pod, and only once the association has taken effect, which "may take
 * several seconds" (https://docs.aws.amazon.com/cli/latest/reference/eks/create-pod-identity-association.html):
 * a pod admitted sooner never gets them, so it stops here, visibly, rather than fail every call.
 * IRSA's token file and static keys count as credentials too; outside a cluster, the SDK's chain decides.
 * @param {Record<string, string | undefined>} env
 * @param {string | undefined} endpoint
 */
export function missingPodCredentials(env, endpoint) {
    const has = (/** @type {string} */ name) => (env[name] ?? "") !== "";
    if (endpoint !== undefined || !has("KUBERNETES_SERVICE_HOST")) return undefined;
    if (["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ACCESS_KEY_ID"].some(has)) return undefined;
    return (
        "TABLE_NAME is set but this pod has no AWS credentials: EKS Pod Identity adds AWS_CONTAINER_CREDENTIALS_FULL_URI " +
        "only to pods created once the association is in effect; restart them: kubectl -n sample-app rollout restart deployment/sample-app-backend"
    );
}

/**
 * Errors the SDK names when DynamoDB sheds load
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.MessagesAndCodes).
 */
const THROTTLED = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"]);
const DENIED = new Set(["AccessDeniedException", "UnrecognizedClientException", "CredentialsProviderError", "ExpiredTokenException"]);

/** @typedef {"unreachable" | "throttled" | "timeout" | "no-table" | "denied" | "error"} StoreReason */

/** A store call that failed, with a reason a client can act on. */
export class StoreError extends Error {
    /**
     * @param {StoreReason} reason
     * @param {string} message
     */
    constructor(reason, message) {
        super(message);
        this.name = "StoreError";
        this.reason = reason;
    }
}

/**
 * What went wrong, from an SDK error: its name for DynamoDB's own errors, Node's error code for
 * the network.
 * @param {unknown} err
 * @returns {StoreReason}
 */
export function reasonOf(err) {
    const { name, code } = /** @type {{ name?: string, code?: string }} */ (err ?? {});
    if (name === "AbortError" || name === "TimeoutError") return "timeout";
    if (name !== undefined && THROTTLED.has(name)) return "throttled";
    if (name === "ResourceNotFoundException") return "no-table";
    if (name !== undefined && DENIED.has(name)) return "denied";
    if (typeof code === "string" && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)$/.test(code)) {
        return "unreachable";
    }
    return "error";
}

/** The pause before the one retry of a throttled call: short, so the retry fits the deadline. */
const THROTTLE_BACKOFF_MS = 50;

/**
 * One call, and one retry when DynamoDB throttled it (it did nothing, so the ADD cannot count
 * twice). The SDK itself makes one attempt: its standard mode backs off exponentially with jitter
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), from a 500 ms
 * base for throttling in this SDK (THROTTLING_RETRY_DELAY_BASE in @smithy/core's retry module),
 * which would turn a throttled call into a timeout at random.
 * @template T
 * @param {(abortSignal: AbortSignal) => Promise<T>} send
 * @param {AbortSignal} signal
 * @returns {Promise<T>}
 */
async function sendWithRetry(send, signal) {
    try {
        return await send(signal);
    } catch (err) {
        if (reasonOf(err) !== "throttled" || signal.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, THROTTLE_BACKOFF_MS * (1 + Math.random())));
        return await send(signal);
    }
}

/**
 * Runs `send` under the deadline, which aborts it, retry included; our own timer answers even if
 * the SDK is stuck somewhere its abort signal does not reach (fetching credentials, say).
 * @template T
 * @param {number} timeoutMs
 * @param {(abortSignal: AbortSignal) => Promise<T>} send
 * @returns {Promise<T>}
 */
async function within(timeoutMs, send) {
    const controller = new AbortController();
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => {
            controller.abort();
            reject(new StoreError("timeout", `no answer from DynamoDB within ${timeoutMs} ms`));
        }, timeoutMs);
    });
    try {
        return await Promise.race([sendWithRetry(send, controller.signal), /** @type {Promise<never>} */ (deadline)]);
    } catch (err) {
        if (err instanceof StoreError) throw err;
        throw new StoreError(reasonOf(err), `${/** @type {Error} */ (err).name}: ${/** @type {Error} */ (err).message}`);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * @typedef {object} StoreOptions
 * @property {string} tableName
 * @property {string} region The SDK's region: the local replica's.
 * @property {number} timeoutMs Each call answers or fails within this.
 * @property {string} [endpoint] Local runs and tests only (dynalite).
 * @property {Readonly<Record<string, string | undefined>>} [env] For the local dummy credentials' decision.
 */

/**
 * @typedef {object} Store
 * @property {() => Promise<number>} count Adds one visit to the page; resolves with the new count.
 * @property {() => Promise<void>} check Reads the page's item from the local replica; counts nothing.
 * @property {() => void} close
 */

/**
 * The DynamoDB client, loaded on first use. Two attempts at most, the second only after a
 * throttle, and a deadline that aborts the call, retry included, so a throttled or slow table
 * answers within `timeoutMs`; the connection and request timeouts of the SDK's Node handler
 * (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html)
 * say the same.
 * In the cluster, credentials come from EKS Pod Identity through the SDK's default chain (the
 * container provider, https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html);
 * against a local endpoint without AWS keys in the environment, from dummy static ones.
 * @param {StoreOptions} options
 * @returns {Promise<Store>}
 */
export async function createStore({ tableName, region, timeoutMs, endpoint, env = process.env }) {
    const missing = missingPodCredentials(env, endpoint);
    if (missing) throw new StartupError(missing, 1);
    let sdk;
    try {
        sdk = await import("@aws-sdk/client-dynamodb");
    } catch (err) {
        const why = /** @type {Error} */ (err).message.split("\n")[0];
        throw new StartupError(`TABLE_NAME is set but @aws-sdk/client-dynamodb cannot be loaded: ${why}`, 1);
    }
    const { DynamoDBClient, GetItemCommand, UpdateItemCommand } = sdk;
    const local = endpoint !== undefined && !env.AWS_ACCESS_KEY_ID;
    const client = new DynamoDBClient({
        region,
        endpoint,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
        ...(local ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
    });
    const key = { [HASH_KEY]: { S: PAGE } };

    return {
        count: async () => {
            const out = await within(timeoutMs, (abortSignal) =>
                client.send(
                    new UpdateItemCommand({
                        TableName: tableName,
                        Key: key,
                        UpdateExpression: "ADD #c :one",
                        ExpressionAttributeNames: { "#c": COUNTER },
                        ExpressionAttributeValues: { ":one": { N: "1" } },
                        ReturnValues: "UPDATED_NEW",
                    }),
                    { abortSignal },
                ),
            );
            return Number(out.Attributes?.[COUNTER]?.N);
        },
        check: async () => {
            await within(timeoutMs, (abortSignal) =>
                client.send(
                    new GetItemCommand({
                        TableName: tableName,
                        Key: key,
                        ProjectionExpression: "#k",
                        ExpressionAttributeNames: { "#k": HASH_KEY },
                    }),
                    { abortSignal },
                ),
            );
        },
        close: () => client.destroy(),
    };
}
