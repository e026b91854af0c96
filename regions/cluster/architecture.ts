/** The nodes' CPU architecture: decided once from the instance types, used by the AMI and the image build. */

export type Architecture = "x86_64" | "arm64";

// Graviton families carry a "g" right after the generation digit: m7g, c6gn, t4g, is4gen.
const GRAVITON = /^[a-z]+\d+g[a-z]*\./;

/** The architecture of a set of instance types, or "mixed" when they disagree. */
export function architectureOf(instanceTypes: readonly string[]): Architecture | "mixed" {
    const arm = instanceTypes.filter((t) => GRAVITON.test(t));
    if (arm.length === 0) return "x86_64";
    return arm.length === instanceTypes.length ? "arm64" : "mixed";
}

/** The Graviton types among `instanceTypes`, to name them in an error. */
export function gravitonTypes(instanceTypes: readonly string[]): string[] {
    return instanceTypes.filter((t) => GRAVITON.test(t));
}

/** The EKS-optimised AL2023 AMI type for each architecture. */
export const AMI_TYPE: Record<Architecture, string> = { x86_64: "AL2023_x86_64_STANDARD", arm64: "AL2023_ARM_64_STANDARD" };

/** The Docker platform images must be built for to run on those nodes. */
export const DOCKER_PLATFORM: Record<Architecture, "linux/amd64" | "linux/arm64"> = { x86_64: "linux/amd64", arm64: "linux/arm64" };
