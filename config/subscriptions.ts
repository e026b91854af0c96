/**
 * Who hears an alarm: SNS subscriptions written as one string each. The forms follow SNS's
 * Subscribe endpoints (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html); each
 * entry is checked on its own, so every bad one is named with what its protocol allows.
 */
import { invalid, Kind, list, Parsed, then } from "./kinds";

export type SubscriptionProtocol = "email" | "email-json" | "sms" | "https" | "sqs" | "lambda";

/** One SNS subscription on a stack's alarm topic. */
export interface AlarmSubscription {
    readonly protocol: SubscriptionProtocol;
    /** The address, number, URL or ARN SNS delivers to. */
    readonly endpoint: string;
}

export const SUBSCRIPTION_FORMS =
    '"email:ADDRESS", "email-json:ADDRESS", "sms:+E.164 number", an "https://" URL, or the ARN of a standard SQS queue or a Lambda function';

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
// E.164: a plus, a country code and at most 15 digits in all.
const E164 = /^\+[1-9]\d{1,14}$/;
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";
// SNS standard topics deliver to standard queues only, so no ".fifo" queue.
const SQS_ARN = new RegExp(`^arn:aws:sqs:${REGION}:(\\d{12}):[A-Za-z0-9_-]{1,80}$`);
const LAMBDA_ARN = new RegExp(`^arn:aws:lambda:${REGION}:(\\d{12}):function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$`);

/** The account an SQS or Lambda endpoint belongs to; undefined for the other protocols. */
export function endpointAccount(subscription: AlarmSubscription): string | undefined {
    return (SQS_ARN.exec(subscription.endpoint) ?? LAMBDA_ARN.exec(subscription.endpoint))?.[1];
}

function isHttpsUrl(v: string): boolean {
    let url: URL;
    try {
        url = new URL(v);
    } catch {
        return false;
    }
    return url.protocol === "https:" && url.hostname.includes(".") && !url.username && !url.password && !/\s/.test(v);
}

interface Form {
    readonly protocol: SubscriptionProtocol;
    /** Whether the entry is meant as this protocol. */
    readonly claims: (entry: string) => boolean;
    /** The endpoint, or undefined when it is malformed. */
    readonly endpoint: (entry: string) => string | undefined;
    readonly allowed: string;
}

const prefixed = (prefix: string, rule: RegExp) => (entry: string) => {
    const rest = entry.slice(prefix.length);
    return rule.test(rest) ? rest : undefined;
};

const FORMS: readonly Form[] = [
    {
        protocol: "email",
        claims: (e) => e.startsWith("email:"),
        endpoint: prefixed("email:", EMAIL),
        allowed: 'email: and one address, such as "email:ops@example.com"',
    },
    {
        protocol: "email-json",
        claims: (e) => e.startsWith("email-json:"),
        endpoint: prefixed("email-json:", EMAIL),
        allowed: 'email-json: and one address, such as "email-json:ops@example.com"',
    },
    {
        protocol: "sms",
        claims: (e) => e.startsWith("sms:"),
        endpoint: prefixed("sms:", E164),
        allowed: 'sms: and an E.164 number ("+", country code, number; at most 15 digits), such as "sms:+14155550100"',
    },
    {
        protocol: "https",
        claims: (e) => /^https?:/i.test(e),
        endpoint: (e) => (isHttpsUrl(e) ? e : undefined),
        allowed:
            'an "https://" URL with a host name and no user:password@, such as "https://hooks.example.com/route53" (plain http would send alarms unencrypted)',
    },
    {
        protocol: "sqs",
        claims: (e) => e.startsWith("arn:aws:sqs:"),
        endpoint: (e) => (SQS_ARN.test(e) ? e : undefined),
        allowed: 'a standard SQS queue ARN, such as "arn:aws:sqs:us-east-1:123456789012:alarms" (no .fifo queue)',
    },
    {
        protocol: "lambda",
        claims: (e) => e.startsWith("arn:aws:lambda:"),
        endpoint: (e) => (LAMBDA_ARN.test(e) ? e : undefined),
        allowed: 'a Lambda function ARN, such as "arn:aws:lambda:us-east-1:123456789012:function:notify"',
    },
];

function parseEntries(entries: string[]): Parsed<AlarmSubscription[]> {
    const subscriptions: AlarmSubscription[] = [];
    const problems: string[] = [];
    for (const entry of entries) {
        const form = FORMS.find((f) => f.claims(entry));
        const endpoint = form?.endpoint(entry);
        if (form && endpoint !== undefined) subscriptions.push({ protocol: form.protocol, endpoint });
        else problems.push(...invalid(entry, form?.allowed ?? SUBSCRIPTION_FORMS).problems);
    }
    return problems.length > 0 ? { problems } : { value: subscriptions };
}

/** A list of subscriptions, each in one of SUBSCRIPTION_FORMS. */
export function alarmSubscriptions(): Kind<AlarmSubscription[], "array"> {
    return then(
        list(() => true, SUBSCRIPTION_FORMS),
        parseEntries,
    );
}

/** Empty, or an https URL of at most 512 characters: the alarm text must fit CloudWatch's 1024. */
export function isRunbookUrl(v: string): boolean {
    return v === "" || (v.length <= 512 && isHttpsUrl(v));
}
