export * from "./cluster";
export * from "./network";
export * from "./zones";
