/**
 * The bottom layer: facts copied from AWS (with their sources and dates), CIDR and DNS-name
 * rules, and what this project measured. It imports nothing of the program's, and config/,
 * regions/, services/, tools/ and bootstrap/ all build on it.
 */
export * from "./awsData";
export * from "./cidr";
export * from "./dns";
export * from "./measured";
export * from "./workload";
