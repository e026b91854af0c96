#!/usr/bin/env bash
# The Pulumi state backend for the steps after this one, chosen by the repository variable
# PULUMI_BACKEND (docs/bootstrap.md), written to $GITHUB_ENV:
#   pulumi-cloud (or unset): PULUMI_ORG is the organization; the job gets a Pulumi token by OIDC.
#   s3: PULUMI_BACKEND_URL and PULUMI_SECRETS_PROVIDER are the bootstrap's bucket and key, and
#       PULUMI_ORG is "organization", the name self-managed backends give every stack's org
#       (https://www.pulumi.com/docs/iac/concepts/stacks/). No Pulumi token exists in this mode:
#       the CLI reaches the bucket and the key with the job's AWS credentials.
# Reads BACKEND, ORG, BACKEND_URL, STATE_KEY (the secrets provider) from the step's env.
set -euo pipefail
fail() { echo "::error::$1"; echo "pulumi-backend: $1" >&2; exit 1; }
case "${BACKEND:-pulumi-cloud}" in
    pulumi-cloud | "")
        [ -n "${ORG:-}" ] || fail "vars.PULUMI_ORG is empty: set it to your Pulumi organization, or PULUMI_BACKEND to s3 (docs/bootstrap.md)"
        echo "PULUMI_ORG=$ORG" >>"$GITHUB_ENV"
        ;;
    s3)
        [[ "${BACKEND_URL:-}" == s3://* ]] || fail "PULUMI_BACKEND is s3 but the backend URL variable is \"${BACKEND_URL:-}\", not s3://...: run the bootstrap's up (docs/bootstrap.md)"
        [[ "${STATE_KEY:-}" == awskms://* ]] || fail "PULUMI_BACKEND is s3 but the secrets-provider variable is \"${STATE_KEY:-}\", not awskms://...: run the bootstrap's up (docs/bootstrap.md)"
        {
            echo "PULUMI_ORG=organization"
            echo "PULUMI_BACKEND_URL=$BACKEND_URL"
            echo "PULUMI_SECRETS_PROVIDER=$STATE_KEY"
            # A fresh checkout's stack file may lack the secretsprovider: and encryptedkey: lines
            # that stack init wrote on another runner; without this the CLI then falls back to a
            # passphrase and fails. With it, it takes the key from the stack's state
            # (pulumi/pulumi pkg/cmd/pulumi/stack/secrets.go; pulumi/pulumi-kubernetes-operator#1231).
            echo "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true"
        } >>"$GITHUB_ENV"
        ;;
    *) fail "vars.PULUMI_BACKEND is \"$BACKEND\"; allowed: pulumi-cloud or s3" ;;
esac
