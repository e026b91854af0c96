export * from "./crossField";
export * from "./dns";
export * from "./keys";
export * from "./parse";
export * from "./rules";
export * from "./subscriptions";
export * from "./types";
