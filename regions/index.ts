export * from "./alarms";
export * from "./certificate";
export * from "./cluster";
export * from "./data";
export * from "./failover";
export * from "./network";
export * from "./preflight";
export * from "./zones";
