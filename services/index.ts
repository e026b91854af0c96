export * from "./microservice";
export * from "./registry";
export * from "./sampleApp";
